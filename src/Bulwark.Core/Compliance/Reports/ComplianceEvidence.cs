namespace Bulwark.Core.Compliance.Reports;

/// <summary>Everything the controls are judged on, gathered from the running instance at report time.</summary>
internal sealed class ComplianceEvidence
{
    public DateTimeOffset Now { get; init; }
    public DateTimeOffset PeriodStart { get; init; }

    // Encryption at rest.
    public int ObjectFiles { get; set; }
    public int DatabaseEnvelopes { get; set; }
    public Dictionary<string, int> ObjectsByKeyVersion { get; } = new(StringComparer.Ordinal);
    public List<string> NotEncrypted { get; } = [];
    public int NotEncryptedCount { get; set; }
    public List<string> UnknownKeyVersions { get; } = [];

    // Master keys.
    public string MasterKeyPath { get; set; } = "";
    public bool MasterKeyFilePresent { get; set; }
    public string? MasterKeyMode { get; set; }
    public bool MasterKeyModeTooWide { get; set; }
    public string PrimaryKeyId { get; set; } = "";
    public IReadOnlyList<string> KeyVersions { get; set; } = [];
    public TimeSpan? PrimaryKeyAge { get; set; }

    // Signing keys.
    public TimeSpan? TokenSigningKeyAge { get; set; }
    public TimeSpan? AuditSigningKeyAge { get; set; }

    // Identity.
    public int PrivilegedUsers { get; set; }
    public List<string> PrivilegedWithoutMfa { get; } = [];
    public int ActiveUsers { get; set; }
    public int UsersWithMfa { get; set; }
    public int ActiveApiKeys { get; set; }
    public List<string> ApiKeysWithoutExpiry { get; } = [];

    // Audit.
    public bool AuditChainValid { get; set; }
    public long AuditEventsVerified { get; set; }
    public long? AuditFirstBroken { get; set; }
    public string? AuditFailure { get; set; }
    public int AuditCheckpoints { get; set; }
    public TimeSpan AuditHotRetention { get; set; }
    public TimeSpan AuditArchiveRetention { get; set; }

    // Incidents and emergency access.
    public int DetectionRulesEnabled { get; set; }
    public int OpenIncidents { get; set; }
    public int OpenHighOrCritical { get; set; }
    public List<string> PersonalDataIncidentsPastDeadline { get; } = [];
    public bool BreakGlassEnabled { get; set; }
    public int BreakGlassSessions { get; set; }
    public int BreakGlassActive { get; set; }
    public int BreakGlassRequests { get; set; }

    // Data.
    public Dictionary<string, string> PanPolicies { get; } = new(StringComparer.Ordinal);
    public int Datasets { get; set; }
    public int CustomRoles { get; set; }
    public int Policies { get; set; }

    public TransportFacts? Transport { get; set; }
}
