using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Bulwark.Core.Datasets;

/// <summary>Reads datasets: metadata from the database, rows by decrypting the stored CSV.</summary>
internal sealed partial class DatasetCatalog(
    BulwarkDbContext db,
    ArtifactStore artifacts,
    EnvelopeEncryption envelope,
    ILogger<DatasetCatalog> logger)
{
    /// <summary>Every dataset, newest first. Rows are never returned.</summary>
    public async Task<IReadOnlyList<Dataset>> ListAsync(CancellationToken cancellationToken = default)
    {
        var all = await db.Datasets.AsNoTracking().ToListAsync(cancellationToken);

        // Ordered in memory: SQLite cannot ORDER BY a DateTimeOffset column through EF Core.
        return [.. all.OrderByDescending(d => d.CreatedAt).ThenBy(d => d.Id)];
    }

    /// <summary>
    /// One dataset. Its sealed schema must open (see <see cref="ReadSchema"/>): a schema column altered or copied from
    /// another dataset yields <see cref="DatasetErrors.IntegrityFailed"/>.
    /// </summary>
    public async Task<Outcome<Dataset>> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var dataset = await db.Datasets.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (dataset is null)
        {
            return DatasetErrors.Missing(id);
        }

        var schema = ReadSchema(dataset);
        return schema.Succeeded ? dataset : schema.Failure;
    }

    /// <summary>
    /// Decrypts a dataset's schema column (sealed at rest: it holds category values and statistics of the rows).
    /// A column that fails authenticated decryption or does not parse yields <see cref="DatasetErrors.IntegrityFailed"/>.
    /// </summary>
    public Outcome<DatasetSchema> ReadSchema(Dataset dataset)
    {
        try
        {
            return DatasetSchema.FromJson(SealedColumn.Open(envelope, dataset.SchemaJson, dataset.Id, SealedColumn.DatasetSchemaPurpose));
        }
        catch (KeyVersionUnavailableException ex)
        {
            return ex.ToFailure();
        }
        catch (CryptographicException)
        {
            return Corrupt(dataset.Id, "the stored schema failed authenticated decryption");
        }
        catch (System.Text.Json.JsonException)
        {
            return Corrupt(dataset.Id, "the stored schema does not parse");
        }
    }

    /// <summary>
    /// Decrypts and parses a dataset. A file that fails authenticated decryption (altered, or swapped with another
    /// object: the associated data binds each ciphertext to its id) or whose digest no longer matches yields
    /// <see cref="DatasetErrors.IntegrityFailed"/>, never an exception.
    /// </summary>
    public async Task<Outcome<LoadedDataset>> LoadAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var found = await GetAsync(id, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var dataset = found.Value;
        byte[] bytes;
        try
        {
            bytes = await artifacts.GetAsync(DatasetImporter.ArtifactPurpose, dataset.StoredObjectId, cancellationToken);
        }
        catch (KeyVersionUnavailableException ex)
        {
            return ex.ToFailure();
        }
        catch (CryptographicException)
        {
            return Corrupt(id, "the stored file failed authenticated decryption");
        }
        catch (FileNotFoundException)
        {
            return Corrupt(id, "the stored file is missing");
        }
        catch (DirectoryNotFoundException)
        {
            return Corrupt(id, "the stored file is missing");
        }

        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), dataset.ContentDigest, StringComparison.Ordinal))
        {
            return Corrupt(id, "the decrypted content does not match the recorded digest");
        }

        var schemaOutcome = ReadSchema(dataset);
        if (!schemaOutcome.Succeeded)
        {
            return schemaOutcome.Failure;
        }

        var schema = schemaOutcome.Value;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Corrupt(id, "the decrypted content is not UTF-8");
        }

        // The stored file passed the import's checks; the limits in force today must not make it unreadable.
        var limits = new DatasetsOptions { MaxBytes = long.MaxValue, MaxRows = int.MaxValue, MaxColumns = int.MaxValue, MaxCellLength = int.MaxValue };
        var loaded = DatasetImporter.Parse(text, limits, schema.Label?.Name, DatasetAnalyzer.KindsOf(schema), dataset.ContentDigest, id, ColumnAnnotation.Of(schema));
        return loaded.Succeeded ? loaded.Value : Corrupt(id, "the stored content no longer parses");
    }

    private Failure Corrupt(Guid id, string reason)
    {
        Log.IntegrityFailed(logger, id, reason);
        return new Failure(DatasetErrors.IntegrityFailed, 500, $"Dataset {id} cannot be read: {reason}. Restore it from backup or re-import it.");
    }

    private static partial class Log
    {
        [LoggerMessage(2010, LogLevel.Error, "Dataset {DatasetId} failed its integrity check: {Reason}")]
        public static partial void IntegrityFailed(ILogger logger, Guid datasetId, string reason);
    }
}
