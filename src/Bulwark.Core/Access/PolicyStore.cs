using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Access;

/// <summary>
/// The ABAC policy document in force. Documents are versioned and never edited; the parsed set lives in memory (every
/// authorization evaluates it) and <see cref="RefreshAsync"/> picks up a version written by another replica.
/// </summary>
internal sealed class PolicyStore(IDbContextFactory<BulwarkDbContext> contexts, AuditLedger audit, TimeProvider time) : IDisposable
{
    public const int MaxDocumentBytes = 256 * 1024;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile State _state = new(PolicySet.Empty, null);

    internal sealed record State(PolicySet Policies, PolicyRevision? Revision);

    public PolicySet Current => _state.Policies;

    public PolicyRevision? CurrentRevision => _state.Revision;

    /// <summary>Loads the newest version when it differs from the one in memory. A stored document that no longer parses stops start-up.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var latest = await db.PolicyRevisions.AsNoTracking().OrderByDescending(r => r.Version).FirstOrDefaultAsync(cancellationToken);
        if (latest is null || latest.Version == _state.Revision?.Version)
        {
            return;
        }

        var parsed = PolicyParser.Parse(latest.Document, latest.Version);
        if (!parsed.Succeeded || !string.Equals(Digest(latest.Document), latest.Digest, StringComparison.Ordinal))
        {
            // Fail closed: a tampered or unreadable policy document must not silently become "no policies".
            throw new InvalidOperationException($"Policy version {latest.Version} in the database does not parse or does not match its digest.");
        }

        _state = new State(parsed.Value, latest);
    }

    /// <summary>Validates and activates a new document as the next version; the change is audited with both digests.</summary>
    public async Task<Outcome<PolicyRevision>> SaveAsync(string document, string actor, string? client, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(document) || Encoding.UTF8.GetByteCount(document) > MaxDocumentBytes)
        {
            return new Failure(PolicyParser.InvalidCode, 400, $"A policy document is 1 byte to {MaxDocumentBytes / 1024} KiB of JSON or YAML.");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var previous = await db.PolicyRevisions.AsNoTracking().OrderByDescending(r => r.Version).FirstOrDefaultAsync(cancellationToken);
            var version = (previous?.Version ?? 0) + 1;
            var parsed = PolicyParser.Parse(document, version);
            if (!parsed.Succeeded)
            {
                await audit.AppendAsync(new AuditEntry(AuditCodes.PolicyRejected, "policy.change", actor, "policy", "rejected", client,
                    new Dictionary<string, object?> { ["code"] = parsed.Failure.Code }));
                return parsed.Failure;
            }

            var trimmed = document.TrimStart();
            var revision = new PolicyRevision
            {
                Version = version,
                Document = document,
                Format = trimmed.StartsWith('{') || trimmed.StartsWith('[') ? "json" : "yaml",
                Digest = Digest(document),
                CreatedBy = actor,
                CreatedAt = time.GetUtcNow(),
            };
            db.PolicyRevisions.Add(revision);
            await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.PolicyChanged, "policy.change", actor, "policy/" + version, "success", client,
                new Dictionary<string, object?>
                {
                    ["version"] = version,
                    ["digest"] = revision.Digest,
                    ["previousDigest"] = previous?.Digest,
                    ["policies"] = parsed.Value.Policies.Count,
                    ["severity"] = "high",
                }), cancellationToken);
            _state = new State(parsed.Value, revision);
            return revision;
        }
        finally
        {
            _gate.Release();
        }
    }

    public static string Digest(string document) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(document)));

    public void Dispose() => _gate.Dispose();
}
