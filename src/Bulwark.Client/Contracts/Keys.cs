namespace Bulwark.Client.Contracts;

/// <summary>Body of <c>POST /api/v1/keys</c>. Scopes: "admin", "datasets:read|write", "models:read|write|promote", "keys:manage", "audit:read", "predict:&lt;model&gt;", "predict:*".</summary>
/// <param name="InstanceWide">
/// A key for every project ("*"), for instance-wide read-only jobs (a Prometheus scraper, a SIEM exporter): only instance
/// administrators may create one, and only with <c>metrics:read</c>, <c>audit:read</c> or <c>incidents:read</c>.
/// </param>
public sealed record CreateApiKeyRequest(string Name, IReadOnlyList<string> Scopes, DateTimeOffset? ExpiresAt = null, bool InstanceWide = false);

/// <summary>The one response that ever contains the key's secret.</summary>
public sealed record CreatedApiKeyInfo(string Key, ApiKeyInfo Info, IReadOnlyList<string> Warnings);

public sealed record ApiKeyInfo(
    string Prefix,
    string Name,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    string CreatedBy,
    string Project = "default");
