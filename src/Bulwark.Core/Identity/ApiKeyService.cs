using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bulwark.Core.Audit;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Identity;

/// <summary>
/// Issues, authenticates and revokes API keys. A key reads "bwk_&lt;12 hex prefix&gt;_&lt;43 char secret&gt;": the prefix is a
/// public lookup id, the 256-bit secret is shown once and stored only as HMAC-SHA256 under a master-key-derived pepper,
/// so a stolen database alone cannot be used to test guesses offline.
/// </summary>
internal sealed class ApiKeyService(
    BulwarkDbContext db,
    AuditLedger audit,
    ApiKeyHasher hasher,
    ApiKeyCache cache,
    TimeProvider time)
{
    public const string KeyPrefix = "bwk_";

    /// <param name="projectId">The project the key acts in, or "*" for an instance-wide key (only instance admins issue those).</param>
    public async Task<CreatedApiKey> CreateAsync(string projectId, string name, IReadOnlyCollection<string> scopes, DateTimeOffset? expiresAt, string createdBy, string? clientAddress, CancellationToken cancellationToken = default)
    {
        var prefix = KeyPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secretBytes = RandomNumberGenerator.GetBytes(32);
        var secret = Base64Url(secretBytes);
        CryptographicOperations.ZeroMemory(secretBytes);
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            ProjectId = projectId,
            Prefix = prefix,
            SecretHash = HashSecret(secret),
            Name = name,
            Scopes = string.Join(' ', scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            CreatedBy = createdBy,
            CreatedAt = time.GetUtcNow(),
            ExpiresAt = expiresAt,
        };
        key.IntegrityTag = hasher.ComputeTag(key);
        db.ApiKeys.Add(key);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.ApiKeyCreated, "key.create", createdBy, "key/" + prefix, "success", clientAddress,
            new Dictionary<string, object?> { ["name"] = name, ["scopes"] = key.Scopes, ["expiresAt"] = expiresAt },
            AuditProject(projectId)), cancellationToken);
        return new CreatedApiKey(key, $"{prefix}_{secret}");
    }

    /// <summary>Finds the key for a presented credential. Unknown, malformed, wrong, revoked and expired keys all fail.</summary>
    public async Task<ApiKeyAuthentication> AuthenticateAsync(string presented, CancellationToken cancellationToken = default)
    {
        // "bwk_" + 12 hex + "_" + 43 base64url characters.
        if (presented.Length != KeyPrefix.Length + 12 + 1 + 43 || !presented.StartsWith(KeyPrefix, StringComparison.Ordinal) || presented[16] != '_')
        {
            return ApiKeyAuthentication.Fail("malformed");
        }

        var prefix = presented[..16];
        var secret = presented[17..];
        var entry = cache.Get(prefix, time);
        if (entry is null)
        {
            var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == prefix, cancellationToken);
            entry = key is null ? ApiKeyCache.Entry.Missing : new ApiKeyCache.Entry(key.Id, key.ProjectId, key.Name, key.SecretHash,
                key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal), key.ExpiresAt, key.RevokedAt,
                Tampered: !hasher.VerifyTag(key));
            cache.Set(prefix, entry, time);
        }

        // Hash even for unknown prefixes so the response time does not reveal which prefixes exist.
        var presentedHash = HashSecret(secret);
        var matches = CryptographicOperations.FixedTimeEquals(presentedHash, entry.SecretHash.Length == 32 ? entry.SecretHash : new byte[32]);
        if (entry.Id == Guid.Empty || !matches)
        {
            return ApiKeyAuthentication.Fail("invalid");
        }

        // A row edited outside Bulwark (scopes widened, expiry extended, revocation cleared) is refused outright.
        if (entry.Tampered)
        {
            return ApiKeyAuthentication.Fail("tampered");
        }

        if (entry.RevokedAt is not null)
        {
            return ApiKeyAuthentication.Fail("revoked");
        }

        if (entry.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            return ApiKeyAuthentication.Fail("expired");
        }

        return new ApiKeyAuthentication(new BulwarkIdentity("key:" + prefix, entry.Name, PrincipalKinds.ApiKey, "api_key")
        {
            BoundProject = entry.ProjectId,
            BoundScopes = entry.Scopes,
        }, null);
    }

    /// <summary>
    /// Revokes a key of <paramref name="projectId"/> (or an instance-wide key when <paramref name="includeInstanceKeys"/>);
    /// a key of another project is "not found", exactly like a missing one.
    /// </summary>
    public async Task<bool> RevokeAsync(string projectId, string prefix, string revokedBy, string? clientAddress, bool includeInstanceKeys = false, CancellationToken cancellationToken = default)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Prefix == prefix && (k.ProjectId == projectId || includeInstanceKeys && k.ProjectId == ProjectIds.AllProjects), cancellationToken);
        if (key is null)
        {
            return false;
        }

        if (key.RevokedAt is null)
        {
            key.RevokedAt = time.GetUtcNow();
            key.IntegrityTag = hasher.ComputeTag(key);
            await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.ApiKeyRevoked, "key.revoke", revokedBy, "key/" + prefix, "success", clientAddress,
                ProjectId: AuditProject(key.ProjectId)), cancellationToken);
        }

        cache.Remove(prefix);
        return true;
    }

    /// <summary>The key with this public prefix, or null; read-only (no secret leaves this service through callers).</summary>
    public Task<ApiKey?> FindAsync(string projectId, string prefix, bool includeInstanceKeys = false, CancellationToken cancellationToken = default) =>
        db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == prefix && (k.ProjectId == projectId || includeInstanceKeys && k.ProjectId == ProjectIds.AllProjects), cancellationToken);

    /// <summary>The keys of one project, and the instance-wide keys when <paramref name="includeInstanceKeys"/>.</summary>
    public Task<List<ApiKey>> ListAsync(string projectId, bool includeInstanceKeys = false, CancellationToken cancellationToken = default) =>
        db.ApiKeys.AsNoTracking().Where(k => k.ProjectId == projectId || includeInstanceKeys && k.ProjectId == ProjectIds.AllProjects)
            .OrderBy(k => k.Prefix).ToListAsync(cancellationToken);

    private static string? AuditProject(string projectId) => projectId == ProjectIds.AllProjects ? null : projectId;

    private byte[] HashSecret(string secret) => hasher.HashSecret(secret);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal sealed record CreatedApiKey(ApiKey Key, string Plaintext);

internal sealed record ApiKeyAuthentication(BulwarkIdentity? Identity, string? FailureReason)
{
    public static ApiKeyAuthentication Fail(string reason) => new(null, reason);
}

/// <summary>
/// Keeps looked-up keys for a few seconds so the prediction path does not query the database on every request.
/// Revocation in this process removes the entry at once; the short lifetime bounds staleness elsewhere.
/// </summary>
internal sealed class ApiKeyCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (Entry Entry, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);

    public Entry? Get(string prefix, TimeProvider time) =>
        _entries.TryGetValue(prefix, out var item) && item.Until > time.GetUtcNow() ? item.Entry : null;

    public void Set(string prefix, Entry entry, TimeProvider time)
    {
        if (_entries.Count > 100_000)
        {
            _entries.Clear();
        }

        _entries[prefix] = (entry, time.GetUtcNow() + Lifetime);
    }

    public void Remove(string prefix) => _entries.TryRemove(prefix, out _);

    internal sealed record Entry(Guid Id, string ProjectId, string Name, byte[] SecretHash, IReadOnlySet<string> Scopes, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, bool Tampered = false)
    {
        public static readonly Entry Missing = new(Guid.Empty, "", "", [], new HashSet<string>(), null, null);
    }
}
