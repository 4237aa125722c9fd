using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bulwark.Core.Compliance;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Privacy;

/// <summary>
/// Which features of a model version are personal data in its captured requests: the columns of its training dataset
/// tagged pii or phi, and the dataset's subject column. Cached per version (a version's training dataset and its tags
/// never change after import).
/// </summary>
internal sealed class CaptureColumns(IDbContextFactory<BulwarkDbContext> contexts, EnvelopeEncryption envelope)
{
    private readonly ConcurrentDictionary<Guid, IReadOnlySet<string>?> _cache = new();

    /// <summary>
    /// The features to pseudonymise; empty for a version without a training dataset (imported), null when the dataset
    /// cannot be read (deleted or failing its integrity check): the caller then keeps no request body, failing closed.
    /// </summary>
    public async Task<IReadOnlySet<string>?> ForVersionAsync(Guid versionId, CancellationToken ct)
    {
        if (_cache.TryGetValue(versionId, out var cached))
        {
            return cached;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var datasetId = await db.ModelVersions.IgnoreQueryFilters().AsNoTracking().Where(v => v.Id == versionId).Select(v => v.DatasetId).FirstOrDefaultAsync(ct);
        IReadOnlySet<string>? columns;
        if (datasetId is not { } id)
        {
            columns = new HashSet<string>(StringComparer.Ordinal);
        }
        else
        {
            var dataset = await db.Datasets.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
            columns = dataset is null ? null : Of(dataset);
            if (columns is null)
            {
                return null; // not cached: a transient failure must not stick
            }
        }

        _cache[versionId] = columns;
        return columns;
    }

    /// <summary>The personal columns of a dataset; null when its sealed schema does not open.</summary>
    public IReadOnlySet<string>? Of(Dataset dataset)
    {
        try
        {
            var schema = DatasetSchema.FromJson(SealedColumn.Open(envelope, dataset.SchemaJson, dataset.Id, SealedColumn.DatasetSchemaPurpose));
            var set = schema.Columns.Where(c => c.Tag is ColumnTags.Pii or ColumnTags.Phi).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            if (dataset.SubjectColumn is { } subject)
            {
                set.Add(subject);
            }

            return set;
        }
        catch (Exception ex) when (ex is CryptographicException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
