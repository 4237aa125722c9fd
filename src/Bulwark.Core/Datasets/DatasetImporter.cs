using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Datasets;

/// <summary>
/// Imports a CSV upload: caps its size while reading, parses it strictly, records its schema and digest, stores the
/// bytes encrypted (purpose "dataset") and writes the dataset row with its audit event in one transaction.
/// </summary>
internal sealed partial class DatasetImporter(
    BulwarkDbContext db,
    ProjectScope project,
    AuditLedger ledger,
    ArtifactStore artifacts,
    EnvelopeEncryption envelope,
    IOptions<DatasetsOptions> options,
    TimeProvider time,
    ILogger<DatasetImporter> logger)
{
    public const string ArtifactPurpose = "dataset";

    // Invalid UTF-8 is malformed input, not something to paper over with U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public async Task<Outcome<Dataset>> ImportAsync(DatasetImportRequest request, Stream csv, CancellationToken cancellationToken = default)
    {
        var outcome = await ImportCoreAsync(request, csv, cancellationToken);
        if (!outcome.Succeeded)
        {
            Log.ImportRejected(logger, request.CreatedBy, outcome.Failure.Code);
            await ledger.AppendAsync(new AuditEntry(
                AuditCodes.DatasetRejected, "dataset.import", request.CreatedBy, "dataset", "failure", request.ClientAddress,
                new Dictionary<string, object?> { ["code"] = outcome.Failure.Code, ["status"] = outcome.Failure.Status }, project.ProjectId));
        }

        return outcome;
    }

    private async Task<Outcome<Dataset>> ImportCoreAsync(DatasetImportRequest request, Stream csv, CancellationToken cancellationToken)
    {
        if (!NamePattern().IsMatch(request.Name))
        {
            return DatasetErrors.InvalidRequest(
                "The dataset name must be 1–100 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit.");
        }

        if (!Enum.IsDefined(request.Classification))
        {
            return DatasetErrors.InvalidRequest("The classification must be public, internal, confidential or restricted.");
        }

        if (request.LabelColumn is not null && !Rfc4180Reader.ColumnNamePattern().IsMatch(request.LabelColumn))
        {
            return DatasetErrors.InvalidRequest("The label column name is not a valid column name.");
        }

        var limits = options.Value;
        var read = await ReadCappedAsync(csv, limits.MaxBytes, cancellationToken);
        if (read is not { } bytes)
        {
            return DatasetErrors.Large($"The CSV is larger than {limits.MaxBytes} bytes.");
        }

        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return DatasetErrors.Malformed("The CSV is not valid UTF-8.");
        }

        var loaded = Parse(text, limits, request.LabelColumn, request.DeclaredKinds, digest);
        if (!loaded.Succeeded)
        {
            return loaded.Failure;
        }

        if (loaded.Value.RowCount == 0)
        {
            return DatasetErrors.InvalidRequest("The CSV has a header but no data rows.");
        }

        var schema = loaded.Value.Schema;
        var datasetId = Guid.CreateVersion7(time.GetUtcNow());
        var dataset = new Dataset
        {
            Id = datasetId,
            ProjectId = project.Required,
            Name = request.Name,
            Classification = request.Classification,

            // Category values and exact statistics are derived from the classified rows: sealed like the rows themselves.
            SchemaJson = SealedColumn.Seal(envelope, schema.ToJson(), datasetId, SealedColumn.DatasetSchemaPurpose),
            ContentDigest = digest,
            RowCount = loaded.Value.RowCount,
            SizeBytes = bytes.Count,
            CreatedBy = request.CreatedBy,
            CreatedAt = time.GetUtcNow(),
        };

        var objectId = dataset.Id.ToString("N");
        await artifacts.PutAsync(ArtifactPurpose, objectId, bytes, cancellationToken);
        try
        {
            db.Datasets.Add(dataset);
            await ledger.SaveChangesAsync(db, new AuditEntry(
                AuditCodes.DatasetImported, "dataset.import", request.CreatedBy, "dataset/" + dataset.Id, "success", request.ClientAddress,
                new Dictionary<string, object?>
                {
                    ["name"] = dataset.Name,
                    ["classification"] = dataset.Classification.ToString().ToLowerInvariant(),
                    ["digest"] = digest,
                    ["rows"] = dataset.RowCount,
                    ["columns"] = schema.Columns.Count,
                }, dataset.ProjectId), cancellationToken);
        }
        catch
        {
            // No half-written record: without its row the encrypted file would be an orphan nobody can erase.
            db.Entry(dataset).State = Microsoft.EntityFrameworkCore.EntityState.Detached;
            artifacts.Delete(ArtifactPurpose, objectId);
            throw;
        }

        Log.Imported(logger, dataset.Id, dataset.RowCount, schema.Columns.Count, request.CreatedBy);
        return dataset;
    }

    /// <summary>Parses decoded CSV text into typed columns; shared by import and reload so both type columns alike.</summary>
    internal static Outcome<LoadedDataset> Parse(
        string text, DatasetsOptions limits, string? labelColumn, IReadOnlyDictionary<string, string>? declaredKinds, string digest, Guid id = default)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..]; // a UTF-8 byte order mark is tolerated, not part of the first column's name
        }

        return DatasetAnalyzer.Analyze(text, limits, labelColumn, declaredKinds, digest, id);
    }

    /// <summary>Reads at most <paramref name="maxBytes"/>; returns null as soon as the stream goes past it.</summary>
    private static async Task<ArraySegment<byte>?> ReadCappedAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        // The stream's own buffer, not a copy: the upload is held once.
        return buffer.TryGetBuffer(out var segment) ? segment : buffer.ToArray();
    }

    // \A and \z, not ^ and $: "$" also matches before a final "\n", which would let "name\n" through.
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex NamePattern();

    private static partial class Log
    {
        [LoggerMessage(2000, LogLevel.Information, "Dataset {DatasetId} imported: {Rows} rows, {Columns} columns, by {Principal}")]
        public static partial void Imported(ILogger logger, Guid datasetId, int rows, int columns, string principal);

        [LoggerMessage(2001, LogLevel.Warning, "Dataset import by {Principal} rejected: {Code}")]
        public static partial void ImportRejected(ILogger logger, string principal, string code);
    }
}
