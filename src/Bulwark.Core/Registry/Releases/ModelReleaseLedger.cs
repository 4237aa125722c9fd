using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Registry;

/// <summary>
/// Writes and checks the per-model release record (<see cref="ModelRelease"/>): the registry's own statement of which
/// signed version is approved for production. The stage tag (<see cref="ModelStageTag"/>) stops a stage being flipped in
/// the database, but a replayed row (an old production row with the tag it had then) carries a valid tag; the release
/// record is a chain, so replaying it means deleting its newest entries, which this process notices (a per-model
/// high-water mark) and which the audit ledger records (every entry is also an audit event).
/// </summary>
/// <remarks>
/// Tag = HMAC-SHA256 under a master-key-derived key over a length-prefixed encoding of every field plus the previous
/// entry's tag. Checked on every cache miss of the serving path, on readiness and before every stage change.
/// </remarks>
internal sealed class ModelReleaseLedger(KeyRing keyRing) : IDisposable
{
    private static readonly byte[] Context = Encoding.UTF8.GetBytes("bulwark/model-release/v1");

    private readonly byte[] _key = keyRing.DeriveKey("model-release");
    private readonly ConcurrentDictionary<(string Project, string Model), int> _highWater = new();

    /// <summary>The verified chain of a model, oldest first; a failure when any entry was edited, removed or reordered.</summary>
    public async Task<Outcome<IReadOnlyList<ModelRelease>>> ReadAsync(BulwarkDbContext db, string projectId, string model, CancellationToken ct)
    {
        var chain = await db.ModelReleases.IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.ProjectId == projectId && r.ModelName == model).OrderBy(r => r.Sequence).ToListAsync(ct);
        var previous = Array.Empty<byte>();
        for (var i = 0; i < chain.Count; i++)
        {
            var entry = chain[i];
            if (entry.Sequence != i + 1 || !CryptographicOperations.FixedTimeEquals(Compute(entry, previous), entry.Tag))
            {
                return Broken(model, $"release record entry {i + 1} failed its integrity check");
            }

            previous = entry.Tag;
        }

        if (!_highWater.TryGetValue((projectId, model), out var seen))
        {
            // First look in this process (a restart, a new replica): the audit ledger, hash-chained and checkpointed,
            // says how long the record has been. Deleting its newest entries then does not survive a restart either.
            seen = await AuditedLengthAsync(db, projectId, model, ct);
        }

        if (chain.Count < seen)
        {
            return Broken(model, $"the release record is shorter ({chain.Count}) than already seen ({seen})");
        }

        _highWater.AddOrUpdate((projectId, model), chain.Count, (_, old) => Math.Max(old, chain.Count));
        return chain;
    }

    /// <summary>The highest release sequence the audit events of this model name (0 when none are in the hot ledger).</summary>
    internal static async Task<int> AuditedLengthAsync(BulwarkDbContext db, string projectId, string model, CancellationToken ct)
    {
        var prefix = $"model/{model}/";
        var details = await db.AuditEvents.AsNoTracking()
            .Where(e => e.ProjectId == projectId && ReleaseCodes.Contains(e.Code) && e.Resource.StartsWith(prefix) && e.Details.Contains("\"release\":"))
            .Select(e => e.Details).ToListAsync(ct);
        var highest = 0;
        foreach (var json in details)
        {
            try
            {
                using var document = System.Text.Json.JsonDocument.Parse(json);
                if (document.RootElement.TryGetProperty("release", out var release) && release.TryGetInt32(out var sequence))
                {
                    highest = Math.Max(highest, sequence);
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // An unreadable event is the audit chain's to report; it proves no length here.
            }
        }

        return highest;
    }

    /// <summary>The audit codes whose events record a release entry's sequence (details "release").</summary>
    internal static readonly int[] ReleaseCodes =
    [
        Audit.AuditCodes.ModelPromoted, Audit.AuditCodes.ModelRetired, Audit.AuditCodes.ModelRolledBack, Audit.AuditCodes.ModelQuarantined,
    ];

    /// <summary>
    /// Anti-rollback: null when <paramref name="production"/> is exactly the approved version of the newest entry;
    /// otherwise why not. A model with production rows but no record at all is refused too.
    /// </summary>
    public static string? Mismatch(IReadOnlyList<ModelRelease> chain, ModelVersion? production)
    {
        var head = chain.Count > 0 ? chain[^1] : null;
        if (production is null)
        {
            return head?.VersionId is { } approved ? $"the approved version {head.Version} is not in production" : null;
        }

        if (head is null)
        {
            return "no release record approves any version";
        }

        if (head.VersionId != production.Id || head.Version != production.Version || head.ManifestDigest != production.ManifestDigest)
        {
            return head.VersionId is null
                ? $"version {production.Version} is in production but the record says production was emptied"
                : $"version {production.Version} is in production but version {head.Version} is the approved one";
        }

        return null;
    }

    /// <summary>Adds the next entry to <paramref name="db"/> (saved with the caller's stage change and audit events).</summary>
    public ModelRelease Append(BulwarkDbContext db, IReadOnlyList<ModelRelease> chain, string projectId, string model, string action,
        ModelVersion? version, string? rootDigest, string by, DateTimeOffset at)
    {
        var entry = new ModelRelease
        {
            Id = Guid.CreateVersion7(at),
            ProjectId = projectId,
            ModelName = model,
            Sequence = chain.Count + 1,
            Action = action,
            VersionId = version?.Id,
            Version = version?.Version,
            ManifestDigest = version?.ManifestDigest,
            RootDigest = version is null ? null : rootDigest,
            By = by,
            At = at,
        };
        entry.Tag = Compute(entry, chain.Count > 0 ? chain[^1].Tag : []);
        db.ModelReleases.Add(entry);
        return entry;
    }

    /// <summary>Raises the high-water mark after a save, so a later read that lost the entry is caught.</summary>
    public void Saw(ModelRelease entry) =>
        _highWater.AddOrUpdate((entry.ProjectId, entry.ModelName), entry.Sequence, (_, old) => Math.Max(old, entry.Sequence));

    private static Failure Broken(string model, string reason) =>
        new(RegistryErrors.ReleaseMismatch, 503, $"Model '{model}' is not served: {reason}.");

    private byte[] Compute(ModelRelease e, byte[] previousTag)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Context);
        Field(buffer, e.ProjectId);
        Field(buffer, e.ModelName);
        Int(buffer, e.Sequence);
        Field(buffer, e.Action);
        Field(buffer, e.VersionId?.ToString("D") ?? "");
        Int(buffer, e.Version ?? -1);
        Field(buffer, e.ManifestDigest ?? "");
        Field(buffer, e.RootDigest ?? "");
        Field(buffer, e.By);
        Span<byte> ticks = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(ticks, e.At.ToUnixTimeMilliseconds());
        buffer.Write(ticks);
        Int(buffer, previousTag.Length);
        buffer.Write(previousTag);
        return HMACSHA256.HashData(_key, buffer.ToArray());
    }

    private static void Field(MemoryStream buffer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Int(buffer, bytes.Length);
        buffer.Write(bytes);
    }

    private static void Int(MemoryStream buffer, int value)
    {
        Span<byte> span = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(span, value);
        buffer.Write(span);
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
