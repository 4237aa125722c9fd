using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Core.Access;
using Bulwark.Core.Audit;
using Bulwark.Core.BreakGlass;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Incidents;
using Bulwark.Core.Incidents.Detection;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Compliance.Reports;

/// <summary>
/// Reads the evidence of a compliance report from the running instance, at the moment it is asked: the object files and
/// sealed database columns (is each one a Bulwark envelope, under which key version), the master key file's mode on disk
/// now (not as it was at start), key ages, MFA of privileged users, API keys without expiry, the audit chain
/// re-verified, retention settings, incidents and break-glass sessions. Nothing is taken from configuration claims alone
/// where the stored state can be read instead.
/// </summary>
internal sealed class ComplianceEvidenceCollector(
    BulwarkDbContext db,
    AuditVerifier verifier,
    KeyRing keyRing,
    StorageOptions storage,
    IOptions<AuditOptions> audit,
    IOptions<DetectionOptions> detection,
    IOptions<BreakGlassOptions> breakGlass,
    TimeProvider time)
{
    private const int MaxListed = 20;
    private static readonly string[] PrivilegedRoles = [BuiltInRoles.Admin, BuiltInRoles.SecurityOfficer];

    public async Task<ComplianceEvidence> CollectAsync(TimeSpan period, TransportFacts? transport, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var evidence = new ComplianceEvidence { Now = now, PeriodStart = now - period, Transport = transport };
        ScanObjectFiles(evidence);
        await ScanDatabaseEnvelopesAsync(evidence, ct);
        ReadMasterKey(evidence, now);
        await ReadSigningKeysAsync(evidence, now, ct);
        await ReadIdentityAsync(evidence, now, ct);
        await ReadAuditAsync(evidence, ct);
        await ReadIncidentsAsync(evidence, now, ct);
        await ReadDataAsync(evidence, ct);
        return evidence;
    }

    private void ScanObjectFiles(ComplianceEvidence evidence)
    {
        var root = Path.Combine(storage.DataDir, "objects");
        if (!Directory.Exists(root))
        {
            return;
        }

        var header = new byte[5 + 255];
        foreach (var path in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            if (path.EndsWith(".tmp", StringComparison.Ordinal))
            {
                continue;
            }

            evidence.ObjectFiles++;
            int read;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            }

            Classify(evidence, header.AsSpan(0, read), "objects/" + Path.GetRelativePath(root, path).Replace('\\', '/'));
        }
    }

    private async Task ScanDatabaseEnvelopesAsync(ComplianceEvidence evidence, CancellationToken ct)
    {
        // Binary envelope columns.
        await ScanAsync(db.Users.AsNoTracking().Where(u => u.TotpSecret != null).Select(u => new BinaryRow(u.Id.ToString(), u.TotpSecret!)), "users.totp_secret");
        await ScanAsync(db.Users.AsNoTracking().Where(u => u.PendingTotpSecret != null).Select(u => new BinaryRow(u.Id.ToString(), u.PendingTotpSecret!)), "users.pending_totp_secret");
        await ScanAsync(db.Users.AsNoTracking().Select(u => new BinaryRow(u.Id.ToString(), u.LoginSealed ?? Array.Empty<byte>())), "users.login_sealed");
        await ScanAsync(db.Users.AsNoTracking().Select(u => new BinaryRow(u.Id.ToString(), u.DisplayNameSealed ?? Array.Empty<byte>())), "users.display_name_sealed");
        await ScanAsync(db.SigningKeys.AsNoTracking().Select(k => new BinaryRow(k.KeyId, k.SealedPrivateKey)), "signing_keys.sealed_private_key");
        await ScanAsync(db.AuditSigningKeys.AsNoTracking().Select(k => new BinaryRow(k.KeyId, k.SealedPrivateKey)), "audit_signing_keys.sealed_private_key");
        await ScanAsync(db.CapturedPredictions.IgnoreQueryFilters().AsNoTracking().Select(c => new BinaryRow(c.Id.ToString(), c.Payload)), "captured_predictions.payload");

        // Text columns sealed as "bwe1:" + base64(envelope).
        await ScanTextAsync(db.Datasets.IgnoreQueryFilters().AsNoTracking().Select(d => new TextRow(d.Id.ToString(), d.SchemaJson)), "datasets.schema");
        await ScanTextAsync(db.ModelVersions.IgnoreQueryFilters().AsNoTracking().Select(v => new TextRow(v.Id.ToString(), v.ManifestEnvelope)), "model_versions.manifest");
        await ScanTextAsync(db.ModelVersions.IgnoreQueryFilters().AsNoTracking().Select(v => new TextRow(v.Id.ToString(), v.FeatureSchemaJson)), "model_versions.feature_schema");
        await ScanTextAsync(db.FeedbackLabels.IgnoreQueryFilters().AsNoTracking().Select(l => new TextRow(l.Id.ToString(), l.Label)), "feedback_labels.label");

        async Task ScanAsync(IQueryable<BinaryRow> rows, string column)
        {
            await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
            {
                evidence.DatabaseEnvelopes++;
                Classify(evidence, row.Bytes, column + "/" + row.Key);
            }
        }

        async Task ScanTextAsync(IQueryable<TextRow> rows, string column)
        {
            await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
            {
                evidence.DatabaseEnvelopes++;
                var text = row.Text;
                byte[] bytes = [];
                if (text.StartsWith(SealedColumn.Prefix, StringComparison.Ordinal))
                {
                    try
                    {
                        bytes = Convert.FromBase64String(text[SealedColumn.Prefix.Length..]);
                    }
                    catch (FormatException)
                    {
                        bytes = [];
                    }
                }

                Classify(evidence, bytes, column + "/" + row.Key);
            }
        }
    }

    private void Classify(ComplianceEvidence evidence, ReadOnlySpan<byte> header, string name)
    {
        string keyId;
        try
        {
            keyId = EnvelopeEncryption.ReadKeyId(header);
        }
        catch (CryptographicException)
        {
            evidence.NotEncryptedCount++;
            if (evidence.NotEncrypted.Count < MaxListed)
            {
                evidence.NotEncrypted.Add(name);
            }

            return;
        }

        evidence.ObjectsByKeyVersion[keyId] = evidence.ObjectsByKeyVersion.GetValueOrDefault(keyId) + 1;
        if (!keyRing.KeyIds.Contains(keyId) && evidence.UnknownKeyVersions.Count < MaxListed && !evidence.UnknownKeyVersions.Contains(keyId))
        {
            evidence.UnknownKeyVersions.Add(keyId);
        }
    }

    private void ReadMasterKey(ComplianceEvidence evidence, DateTimeOffset now)
    {
        evidence.PrimaryKeyId = keyRing.PrimaryKeyId;
        evidence.KeyVersions = [.. keyRing.KeyIds];
        evidence.MasterKeyPath = storage.MasterKeyPath;
        evidence.MasterKeyFilePresent = File.Exists(storage.MasterKeyPath);
        if (!evidence.MasterKeyFilePresent)
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            // Read now, not at start: a key file loosened after the server started is exactly what this must catch.
            var mode = File.GetUnixFileMode(storage.MasterKeyPath);
            evidence.MasterKeyMode = "0" + Convert.ToString((int)mode, 8);
            const UnixFileMode tooWide = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            evidence.MasterKeyModeTooWide = (mode & tooWide) != 0;
        }

        // Only the key ids and creation times are read: never the key material.
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(storage.MasterKeyPath));
            if (json.RootElement.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array)
            {
                foreach (var key in keys.EnumerateArray())
                {
                    if (key.TryGetProperty("id", out var id) && id.GetString() == keyRing.PrimaryKeyId
                        && key.TryGetProperty("createdAt", out var created) && created.TryGetDateTimeOffset(out var at))
                    {
                        evidence.PrimaryKeyAge = now - at;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            evidence.PrimaryKeyAge = null;
        }
    }

    private async Task ReadSigningKeysAsync(ComplianceEvidence evidence, DateTimeOffset now, CancellationToken ct)
    {
        var token = await db.SigningKeys.AsNoTracking().Where(k => k.RetiredAt == null).Select(k => (DateTimeOffset?)k.CreatedAt).ToListAsync(ct);
        evidence.TokenSigningKeyAge = token.Count > 0 ? now - token.Max() : null;
        var auditKeys = await db.AuditSigningKeys.AsNoTracking().Where(k => k.RetiredAt == null).Select(k => (DateTimeOffset?)k.CreatedAt).ToListAsync(ct);
        evidence.AuditSigningKeyAge = auditKeys.Count > 0 ? now - auditKeys.Max() : null;
    }

    private async Task ReadIdentityAsync(ComplianceEvidence evidence, DateTimeOffset now, CancellationToken ct)
    {
        // Entities, not a projection: logins are sealed and open only when a user row is read whole.
        var users = (await db.Users.AsNoTracking().Where(u => u.Status == UserStatus.Active).ToListAsync(ct))
            .Select(u => new { u.Id, u.Login, Mfa = u.TotpSecret != null }).ToList();
        evidence.ActiveUsers = users.Count;
        evidence.UsersWithMfa = users.Count(u => u.Mfa);
        var privileged = (await db.Memberships.IgnoreQueryFilters().AsNoTracking().Where(m => PrivilegedRoles.Contains(m.Role))
            .Select(m => m.PrincipalId).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        foreach (var user in users.Where(u => privileged.Contains(UserDirectory.PrincipalId(u.Id))).OrderBy(u => u.Login, StringComparer.Ordinal))
        {
            evidence.PrivilegedUsers++;
            if (!user.Mfa)
            {
                evidence.PrivilegedWithoutMfa.Add(user.Login);
            }
        }

        var keys = await db.ApiKeys.IgnoreQueryFilters().AsNoTracking().Where(k => k.RevokedAt == null)
            .Select(k => new { k.Prefix, k.Name, k.ExpiresAt }).ToListAsync(ct);
        var live = keys.Where(k => k.ExpiresAt is null || k.ExpiresAt > now).ToList();
        evidence.ActiveApiKeys = live.Count;
        evidence.ApiKeysWithoutExpiry.AddRange(live.Where(k => k.ExpiresAt is null).Select(k => k.Prefix).Order(StringComparer.Ordinal));
    }

    private async Task ReadAuditAsync(ComplianceEvidence evidence, CancellationToken ct)
    {
        var result = await verifier.VerifyAsync(cancellationToken: ct);
        evidence.AuditChainValid = result.Valid;
        evidence.AuditEventsVerified = result.EventsVerified;
        evidence.AuditFirstBroken = result.FirstBrokenSequence;
        evidence.AuditFailure = result.Reason;
        evidence.AuditCheckpoints = await db.AuditCheckpoints.CountAsync(ct);
        evidence.AuditHotRetention = audit.Value.HotRetention;
        evidence.AuditArchiveRetention = audit.Value.ArchiveRetention;
    }

    private async Task ReadIncidentsAsync(ComplianceEvidence evidence, DateTimeOffset now, CancellationToken ct)
    {
        evidence.DetectionRulesEnabled = DetectionEngine.CreateRules(detection.Value).Count;
        var open = await db.Incidents.AsNoTracking().Where(i => i.State != IncidentState.Closed)
            .Select(i => new { i.Number, i.Severity, i.PersonalData, i.OpenedAt }).ToListAsync(ct);
        evidence.OpenIncidents = open.Count;
        evidence.OpenHighOrCritical = open.Count(i => i.Severity is IncidentSeverity.High or IncidentSeverity.Critical);

        // GDPR Art. 33: 72 hours from awareness to notification; still open past it is the thing to show.
        evidence.PersonalDataIncidentsPastDeadline.AddRange(open.Where(i => i.PersonalData && now - i.OpenedAt > TimeSpan.FromHours(72))
            .Select(i => "INC-" + i.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        evidence.BreakGlassEnabled = breakGlass.Value.Enabled;
        var start = evidence.PeriodStart;
        var sessions = await db.BreakGlassSessions.AsNoTracking().Where(s => s.StartedAt >= start).ToListAsync(ct);
        evidence.BreakGlassSessions = sessions.Count;
        evidence.BreakGlassActive = sessions.Count(s => s.IsActiveAt(now));
        evidence.BreakGlassRequests = sessions.Sum(s => s.Requests);
    }

    private async Task ReadDataAsync(ComplianceEvidence evidence, CancellationToken ct)
    {
        foreach (var project in await db.Projects.AsNoTracking().OrderBy(p => p.Id).Select(p => new { p.Id, p.PanPolicy }).ToListAsync(ct))
        {
            evidence.PanPolicies[project.Id] = project.PanPolicy;
        }

        evidence.Datasets = await db.Datasets.IgnoreQueryFilters().CountAsync(ct);
        evidence.CustomRoles = await db.Roles.CountAsync(ct);
    }

    internal static string Describe(IEnumerable<string> items) => items.Any() ? string.Join(", ", items) : "none";

    internal static string Days(TimeSpan? span) => span is { } s ? Math.Floor(s.TotalDays).ToString(System.Globalization.CultureInfo.InvariantCulture) + " days" : "unknown";

    private sealed record BinaryRow(string Key, byte[] Bytes);

    private sealed record TextRow(string Key, string Text);
}
