using System.Globalization;
using static Bulwark.Core.Compliance.Reports.ComplianceEvidenceCollector;

namespace Bulwark.Core.Compliance.Reports;

/// <summary>
/// The checks each control is judged by. A check looks at live evidence and says met, partial or not met with the
/// reason; the frameworks (<see cref="ComplianceFrameworks"/>) map their controls onto these checks.
/// </summary>
internal static class ComplianceControls
{
    /// <summary>PCI DSS 10.5.1: audit logs kept at least 12 months, the most recent 3 immediately available.</summary>
    public static readonly TimeSpan PciTotalRetention = TimeSpan.FromDays(365);
    public static readonly TimeSpan PciImmediateRetention = TimeSpan.FromDays(90);

    /// <summary>HIPAA §164.316(b)(2)(i): documentation kept six years.</summary>
    public static readonly TimeSpan HipaaRetention = TimeSpan.FromDays(6 * 365);

    /// <summary>Master key cryptoperiod beyond which rotation is overdue (NIST SP 800-57 Pt. 1 §5.3.6 suggests ≤ 2 years for KEKs; we ask one).</summary>
    public static readonly TimeSpan MaxPrimaryKeyAge = TimeSpan.FromDays(365);

    public static ControlResult EncryptionAtRest(string id, string title, ComplianceEvidence e)
    {
        var evidence = Values(
            ("objectFiles", Num(e.ObjectFiles)), ("databaseEnvelopes", Num(e.DatabaseEnvelopes)),
            ("byKeyVersion", Describe(e.ObjectsByKeyVersion.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={Num(k.Value)}"))),
            ("notEncrypted", Num(e.NotEncryptedCount)), ("notEncryptedExamples", Describe(e.NotEncrypted)),
            ("unknownKeyVersions", Describe(e.UnknownKeyVersions)));
        if (e.NotEncryptedCount > 0)
        {
            return new(id, title, ControlStatus.NotMet, $"{Num(e.NotEncryptedCount)} stored object(s) are not Bulwark envelopes (no \"BWE1\" header), e.g. {Describe(e.NotEncrypted.Take(3))}.", evidence);
        }

        return e.UnknownKeyVersions.Count > 0
            ? new(id, title, ControlStatus.NotMet, $"Objects name key versions the key ring does not hold ({Describe(e.UnknownKeyVersions)}): they cannot be decrypted.", evidence)
            : new(id, title, ControlStatus.Met, $"All {Num(e.ObjectFiles + e.DatabaseEnvelopes)} stored objects and sealed columns are AES-256-GCM envelopes under a known key version.", evidence);
    }

    public static ControlResult KeyManagement(string id, string title, ComplianceEvidence e)
    {
        var evidence = Values(("masterKeyFile", e.MasterKeyFilePresent ? e.MasterKeyPath : "not a file (environment or HSM provider)"),
            ("masterKeyMode", e.MasterKeyMode ?? "n/a"), ("primaryKey", e.PrimaryKeyId), ("keyVersions", Describe(e.KeyVersions)),
            ("primaryKeyAge", Days(e.PrimaryKeyAge)), ("tokenSigningKeyAge", Days(e.TokenSigningKeyAge)), ("auditSigningKeyAge", Days(e.AuditSigningKeyAge)));
        if (e.MasterKeyModeTooWide)
        {
            return new(id, title, ControlStatus.NotMet,
                $"The master key file is readable by group or others (mode {e.MasterKeyMode}); restrict it with chmod 600.", evidence);
        }

        if (e.PrimaryKeyAge is { } age && age > MaxPrimaryKeyAge)
        {
            return new(id, title, ControlStatus.Partial, $"The primary master key is {Days(age)} old, past the {Days(MaxPrimaryKeyAge)} cryptoperiod: rotate it.", evidence);
        }

        return e.TokenSigningKeyAge is null || e.AuditSigningKeyAge is null
            ? new(id, title, ControlStatus.Partial, "A signing key (tokens or audit) has no active version.", evidence)
            : new(id, title, ControlStatus.Met, "Master keys are versioned, the key file is private to its owner, and signing keys are active.", evidence);
    }

    public static ControlResult Mfa(string id, string title, ComplianceEvidence e)
    {
        var evidence = Values(("privilegedUsers", Num(e.PrivilegedUsers)), ("privilegedWithoutMfa", Describe(e.PrivilegedWithoutMfa)),
            ("activeUsers", Num(e.ActiveUsers)), ("usersWithMfa", Num(e.UsersWithMfa)));
        return e.PrivilegedWithoutMfa.Count > 0
            ? new(id, title, ControlStatus.NotMet,
                $"{Num(e.PrivilegedWithoutMfa.Count)} privileged user(s) (admin or security-officer) have no second factor: {Describe(e.PrivilegedWithoutMfa)}.", evidence)
            : new(id, title, ControlStatus.Met, $"Every privileged user ({Num(e.PrivilegedUsers)}) has a second factor enrolled; privileged roles are inactive in sessions without MFA.", evidence);
    }

    public static ControlResult Credentials(string id, string title, ComplianceEvidence e)
    {
        var evidence = Values(("activeApiKeys", Num(e.ActiveApiKeys)), ("apiKeysWithoutExpiry", Describe(e.ApiKeysWithoutExpiry)),
            ("privilegedWithoutMfa", Describe(e.PrivilegedWithoutMfa)));
        if (e.PrivilegedWithoutMfa.Count > 0)
        {
            return new(id, title, ControlStatus.NotMet, $"Privileged users without MFA: {Describe(e.PrivilegedWithoutMfa)}.", evidence);
        }

        return e.ApiKeysWithoutExpiry.Count > 0
            ? new(id, title, ControlStatus.Partial, $"{Num(e.ApiKeysWithoutExpiry.Count)} API key(s) never expire ({Describe(e.ApiKeysWithoutExpiry.Take(5))}): set an expiry and rotate them (PCI DSS 8.6.3).", evidence)
            : new(id, title, ControlStatus.Met, "Every API key expires and every privileged user has MFA.", evidence);
    }

    public static ControlResult AuditChain(string id, string title, ComplianceEvidence e)
    {
        var evidence = Values(("chainValid", e.AuditChainValid ? "true" : "false"), ("eventsVerified", Num(e.AuditEventsVerified)),
            ("firstBrokenSequence", e.AuditFirstBroken is { } b ? Num(b) : "none"), ("failure", e.AuditFailure ?? "none"), ("signedCheckpoints", Num(e.AuditCheckpoints)));
        return e.AuditChainValid
            ? new(id, title, ControlStatus.Met, $"The hash-chained audit ledger verified end to end ({Num(e.AuditEventsVerified)} events, {Num(e.AuditCheckpoints)} signed checkpoints).", evidence)
            : new(id, title, ControlStatus.NotMet, $"The audit chain does not verify: first broken sequence {(e.AuditFirstBroken is { } s ? Num(s) : "?")} ({e.AuditFailure}).", evidence);
    }

    public static ControlResult AuditRetention(string id, string title, ComplianceEvidence e, TimeSpan required, TimeSpan immediate)
    {
        var total = e.AuditHotRetention + e.AuditArchiveRetention;
        var evidence = Values(("hotRetention", Days(e.AuditHotRetention)), ("archiveRetention", Days(e.AuditArchiveRetention)), ("totalRetention", Days(total)),
            ("required", Days(required)), ("requiredImmediate", Days(immediate)));
        if (total < required)
        {
            return new(id, title, ControlStatus.NotMet, $"Audit events are kept {Days(total)} in total; at least {Days(required)} are required.", evidence);
        }

        return e.AuditHotRetention < immediate
            ? new(id, title, ControlStatus.NotMet, $"Only {Days(e.AuditHotRetention)} are immediately available; at least {Days(immediate)} are required.", evidence)
            : new(id, title, ControlStatus.Met, $"Audit events stay searchable {Days(e.AuditHotRetention)} and are archived (signed) for {Days(total)} in total.", evidence);
    }

    public static ControlResult AccessControl(string id, string title, ComplianceEvidence e) =>
        new(id, title, ControlStatus.Met,
            "Deny-by-default authorization: every endpoint names one permission, roles grant permissions per project, ABAC policies can only narrow; privileged roles need MFA.",
            Values(("activeUsers", Num(e.ActiveUsers)), ("customRoles", Num(e.CustomRoles)), ("privilegedUsers", Num(e.PrivilegedUsers))));

    public static ControlResult EmergencyAccess(string id, string title, ComplianceEvidence e)
    {
        var evidence = Values(("enabled", e.BreakGlassEnabled ? "true" : "false"), ("sessionsInPeriod", Num(e.BreakGlassSessions)),
            ("activeNow", Num(e.BreakGlassActive)), ("requestsUnderBreakGlass", Num(e.BreakGlassRequests)), ("periodStart", e.PeriodStart.ToString("u", CultureInfo.InvariantCulture)));
        return e.BreakGlassEnabled
            ? new(id, title, ControlStatus.Met, $"Break-glass access is available, time-boxed, reasoned and audited; {Num(e.BreakGlassSessions)} session(s) in the period, each raised as an incident.", evidence)
            : new(id, title, ControlStatus.NotMet, "No emergency access procedure: break-glass is disabled (Bulwark:BreakGlass:Enabled).", evidence);
    }

    public static ControlResult Transport(string id, string title, ComplianceEvidence e)
    {
        if (e.Transport is not { } t)
        {
            return new(id, title, ControlStatus.Partial, "Transport settings were not supplied with this report.", Values());
        }

        var evidence = Values(("protocols", t.Protocols), ("aeadOnly", t.AeadOnly ? "true" : "false"), ("hstsMaxAgeDays", Num(t.HstsMaxAgeDays)),
            ("certificateNotAfter", t.CertificateNotAfter.ToString("u", CultureInfo.InvariantCulture)), ("certificateKey", t.CertificateKey));
        if (t.CertificateNotAfter <= e.Now)
        {
            return new(id, title, ControlStatus.NotMet, "The TLS certificate has expired.", evidence);
        }

        return t.AeadOnly && t.HstsMaxAgeDays >= 180
            ? new(id, title, ControlStatus.Met, $"HTTPS only ({t.Protocols}, AEAD suites only), HSTS {Num(t.HstsMaxAgeDays)} days.", evidence)
            : new(id, title, ControlStatus.Partial, "TLS is on, but HSTS is shorter than 180 days or non-AEAD suites are allowed.", evidence);
    }

    public static ControlResult PanProtection(string id, string title, ComplianceEvidence e)
    {
        var policies = Describe(e.PanPolicies.Select(p => $"{p.Key}={p.Value}"));
        var evidence = Values(("panPolicies", policies), ("datasets", Num(e.Datasets)), ("notEncrypted", Num(e.NotEncryptedCount)));
        var unknown = e.PanPolicies.Where(p => p.Value is not (PanPolicies.Reject or PanPolicies.Truncate or PanPolicies.Tokenise)).Select(p => p.Key).ToList();
        if (unknown.Count > 0 || e.NotEncryptedCount > 0)
        {
            return new(id, title, ControlStatus.NotMet,
                unknown.Count > 0 ? $"Projects with no recognised PAN policy: {Describe(unknown)}." : "Some stored objects are not encrypted, so PANs could be stored in clear.", evidence);
        }

        return new(id, title, ControlStatus.Met, "Every project rejects, truncates (first 6 / last 4) or tokenises card numbers on import; everything stored is encrypted.", evidence);
    }

    public static ControlResult IncidentResponse(string id, string title, ComplianceEvidence e)
    {
        var evidence = Values(("detectionRulesEnabled", Num(e.DetectionRulesEnabled)), ("openIncidents", Num(e.OpenIncidents)),
            ("openHighOrCritical", Num(e.OpenHighOrCritical)), ("personalDataPast72h", Describe(e.PersonalDataIncidentsPastDeadline)));
        return e.DetectionRulesEnabled == 0
            ? new(id, title, ControlStatus.NotMet, "Every detection rule is disabled: no incident would be raised.", evidence)
            : new(id, title, ControlStatus.Met, $"{Num(e.DetectionRulesEnabled)} detection rules feed the incident workflow; {Num(e.OpenIncidents)} incident(s) open.", evidence);
    }

    public static ControlResult BreachNotification(string id, string title, ComplianceEvidence e)
    {
        var evidence = Values(("openIncidents", Num(e.OpenIncidents)), ("personalDataPast72h", Describe(e.PersonalDataIncidentsPastDeadline)));
        return e.PersonalDataIncidentsPastDeadline.Count > 0
            ? new(id, title, ControlStatus.NotMet, $"Incidents involving personal data are still open more than 72 hours after they were opened: {Describe(e.PersonalDataIncidentsPastDeadline)}.", evidence)
            : new(id, title, ControlStatus.Met, "No incident involving personal data is open past the 72-hour notification deadline; deadlines are tracked with reminders.", evidence);
    }

    public static ControlResult Combine(string id, string title, params ControlResult[] parts)
    {
        var evidence = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            foreach (var (key, value) in part.Evidence)
            {
                evidence.TryAdd(key, value);
            }
        }

        var worst = parts.FirstOrDefault(p => p.Status == ControlStatus.NotMet) ?? parts.FirstOrDefault(p => p.Status == ControlStatus.Partial);
        return worst is null
            ? new(id, title, ControlStatus.Met, string.Join(" ", parts.Select(p => p.Reason)), evidence)
            : new(id, title, worst.Status, string.Join(" ", parts.Where(p => p.Status != ControlStatus.Met).Select(p => p.Reason)), evidence);
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Values(params (string Key, string Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
}
