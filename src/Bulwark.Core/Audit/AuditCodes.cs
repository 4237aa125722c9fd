namespace Bulwark.Core.Audit;

/// <summary>
/// Stable numeric audit event codes, in blocks per feature. Never renumber: exported ledgers and SIEM rules rely on them.
/// </summary>
public static class AuditCodes
{
    // 1000–1999 Identity
    public const int ApiKeyCreated = 1000;
    public const int ApiKeyRevoked = 1001;
    public const int AuthenticationFailed = 1010;
    public const int AccessDenied = 1011;

    // 2000–2999 Datasets
    public const int DatasetImported = 2000;
    public const int DatasetRejected = 2001;

    // 3000–3999 Registry and training
    public const int TrainingRequested = 3000;
    public const int TrainingSucceeded = 3001;
    public const int TrainingFailed = 3002;
    public const int ModelImported = 3010;
    public const int ModelImportRejected = 3011;
    public const int ModelPromoted = 3020;
    public const int ModelRetired = 3021;
    public const int ModelIntegrityFailure = 3030;

    // 4000–4999 Serving
    public const int PredictionServed = 4000;
    public const int PredictionRejected = 4001;

    // 5000–5999 Audit
    public const int AuditVerified = 5000;

    // 9000–9999 System
    public const int SystemInitialized = 9000;
    public const int ServerStarted = 9001;
}
