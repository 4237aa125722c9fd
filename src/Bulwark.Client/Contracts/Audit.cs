namespace Bulwark.Client.Contracts;

/// <summary>Result of <c>POST /api/v1/audit/verify</c>.</summary>
/// <param name="CheckpointsVerified">Signed checkpoints that matched the events; a checkpoint beyond the last event means the tail was cut off.</param>
public sealed record AuditVerifyResult(bool Valid, long EventsVerified, long? FirstBrokenSequence, string? Reason, string? HeadHash,
    int CheckpointsVerified = 0, long? LastCheckpointSequence = null);

/// <summary>A signed audit checkpoint: the ledger's event <paramref name="Sequence"/> had hash <paramref name="HeadHash"/>. Keep a copy outside Bulwark.</summary>
public sealed record AuditCheckpointInfo(long Sequence, string HeadHash, DateTimeOffset SignedAt, string KeyId, System.Text.Json.JsonElement Envelope);

/// <summary>An audit signing key's public half (PEM SubjectPublicKeyInfo), for offline verification.</summary>
public sealed record AuditKeyInfo(string KeyId, string PublicKeyPem, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt);

/// <summary>
/// Events moved out of the database into a signed archive file (<paramref name="FileName"/> in the archive directory),
/// verifiable offline with <c>bulwark audit verify --file</c>. <paramref name="PurgedAt"/> is set once the file's retention ended.
/// </summary>
public sealed record AuditArchiveInfo(long FromSequence, long ToSequence, long Events, string FileName, string Sha256, DateTimeOffset CreatedAt, DateTimeOffset? PurgedAt);

/// <summary>Every audit key, retired ones included (old checkpoints keep verifying under them).</summary>
public sealed record AuditKeyList(string ActiveKeyId, IReadOnlyList<AuditKeyInfo> Keys);

/// <summary>One audit event as the search API returns it. <paramref name="Details"/> is the event's canonical JSON.</summary>
public sealed record AuditEventInfo(
    long Sequence,
    DateTimeOffset Timestamp,
    int Code,
    string Action,
    string Principal,
    string Resource,
    string Outcome,
    string? Project,
    string? ClientAddress,
    System.Text.Json.JsonElement Details,
    string Hash,
    string? AuthMethod = null,
    string? UserAgent = null);

/// <summary>A page of audit events, oldest first; pass <paramref name="Next"/> as <c>after</c> for the following page.</summary>
public sealed record AuditEventPage(IReadOnlyList<AuditEventInfo> Events, long? Next);
