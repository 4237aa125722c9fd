using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Bulwark.Core.Audit;
using Bulwark.Core.Compliance;
using Bulwark.Core.Crypto;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Datasets;

/// <summary>
/// Imports a CSV upload: caps its size while reading, screens it (column tags, the project's PAN policy: see
/// <see cref="DatasetScreening"/>), parses it strictly, records its schema and digest, stores the bytes encrypted
/// (purpose "dataset") and writes the dataset row with its audit event in one transaction.
/// </summary>
/// <remarks>
/// The classification stored is the higher of the caller's and the one the tags require (<see cref="ColumnTags.Floor"/>):
/// it is what the ABAC policies compare with a clearance, what makes every access decision audited (restricted) and what
/// promotion's four eyes count, so data cannot be declared out of those controls. When card numbers were replaced, the
/// stored bytes, digest and size are those of the rewritten CSV: the upload itself is never written anywhere.
/// </remarks>
internal sealed partial class DatasetImporter(
    BulwarkDbContext db,
    ProjectScope project,
    AuditLedger ledger,
    ArtifactStore artifacts,
    EnvelopeEncryption envelope,
    PanTokeniser tokeniser,
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
            // Details may quote what the caller sent (a column or label name): a card number in it leaves masked.
            var failure = outcome.Failure with { Detail = PanMasking.Scrub(outcome.Failure.Detail) };
            Log.ImportRejected(logger, request.CreatedBy, failure.Code);
            var details = new Dictionary<string, object?> { ["code"] = failure.Code, ["status"] = failure.Status };
            foreach (var (key, value) in failure.Extensions ?? new Dictionary<string, object?>())
            {
                details.TryAdd(key, value); // row and column of a card number, never the number
            }

            await ledger.AppendAsync(new AuditEntry(
                AuditCodes.DatasetRejected, "dataset.import", request.CreatedBy, "dataset", "failure", request.ClientAddress, details, project.ProjectId));
            return failure;
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

        if (request.SubjectColumn is not null && !Rfc4180Reader.ColumnNamePattern().IsMatch(request.SubjectColumn))
        {
            return DatasetErrors.InvalidRequest("The subject column name is not a valid column name.");
        }

        if (request.SubjectColumn is not null && request.SubjectColumn == request.LabelColumn)
        {
            return DatasetErrors.InvalidRequest("The subject column cannot be the label column.");
        }

        if (CardNumberDetector.Find(request.Name).Count > 0)
        {
            // The name is stored, listed and audited in clear: it may not carry a card number under any policy.
            return DatasetErrors.Pan("The dataset name contains a card number; choose another name.");
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

        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..]; // as Parse does: a byte order mark is not part of the first column's name
        }

        var policy = await PanPolicyAsync(cancellationToken);
        var projectId = project.Required;
        var screening = DatasetScreening.Screen(text, limits, request.DeclaredTags, request.LabelColumn, policy,
            digits => tokeniser.Tokenise(projectId, digits), DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        if (!screening.Succeeded)
        {
            return screening.Failure;
        }

        var screened = screening.Value;
        var analyzeLimits = limits;
        if (screened.Rewritten)
        {
            // Store the rewrite, never the upload. Its cells were within the limit before tokens replaced card numbers.
            bytes = StrictUtf8.GetBytes(screened.Text);
            digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
            analyzeLimits = new DatasetsOptions { MaxBytes = limits.MaxBytes, MaxRows = limits.MaxRows, MaxColumns = limits.MaxColumns, MaxCellLength = int.MaxValue };
        }

        var kinds = new Dictionary<string, string>(request.DeclaredKinds ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var identifier in screened.Identifiers)
        {
            kinds[identifier] = "identifier";
        }

        if (request.SubjectColumn is { } subject)
        {
            var found = SubjectColumns.Check(screened.Text, subject);
            if (found is not null)
            {
                return found;
            }

            // One value per subject: never a feature, never a category set (which would list every subject in the schema).
            kinds[subject] = "identifier";
        }

        var loaded = DatasetAnalyzer.Analyze(screened.Text, analyzeLimits, request.LabelColumn, kinds, digest, annotations: screened.Annotations);
        if (!loaded.Succeeded)
        {
            return loaded.Failure;
        }

        if (loaded.Value.RowCount == 0)
        {
            return DatasetErrors.InvalidRequest("The CSV has a header but no data rows.");
        }

        var schema = loaded.Value.Schema;
        var tags = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        var classification = request.Classification;
        foreach (var column in schema.Columns.Where(c => c.Tag is not null))
        {
            tags[column.Name] = column.Tag;
            classification = (DataClassification)Math.Max((int)classification, (int)ColumnTags.Floor(column.Tag));
        }

        var datasetId = Guid.CreateVersion7(time.GetUtcNow());
        var dataset = new Dataset
        {
            Id = datasetId,
            ProjectId = project.Required,
            Name = request.Name,
            Classification = classification,

            // Category values and exact statistics are derived from the classified rows: sealed like the rows themselves.
            SchemaJson = SealedColumn.Seal(envelope, schema.ToJson(), datasetId, SealedColumn.DatasetSchemaPurpose),
            ContentDigest = digest,
            RowCount = loaded.Value.RowCount,
            SubjectColumn = request.SubjectColumn,
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
                    ["declaredClassification"] = request.Classification.ToString().ToLowerInvariant(),
                    ["tags"] = tags,
                    ["subjectColumn"] = dataset.SubjectColumn,
                    ["pan"] = screened.PanColumns.Count == 0 ? null : new SortedDictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["policy"] = PanPolicies.NameOf(policy),
                        ["columns"] = screened.PanColumns,
                        ["cells"] = screened.PanCells,
                    },
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
        if (screened.PanCells > 0)
        {
            Log.CardNumbersReplaced(logger, dataset.Id, screened.PanCells, screened.PanColumns.Count, PanPolicies.NameOf(policy));
        }

        return dataset;
    }

    /// <summary>The project's PAN policy; a project without one, or with a value this version does not know, rejects.</summary>
    private async Task<PanPolicy> PanPolicyAsync(CancellationToken cancellationToken)
    {
        var projectId = project.Required;
        var stored = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => p.PanPolicy).FirstOrDefaultAsync(cancellationToken);
        return PanPolicies.TryParse(stored, out var policy) ? policy : PanPolicy.Reject;
    }

    /// <summary>Parses decoded CSV text into typed columns; shared by import and reload so both type columns alike.</summary>
    internal static Outcome<LoadedDataset> Parse(
        string text, DatasetsOptions limits, string? labelColumn, IReadOnlyDictionary<string, string>? declaredKinds, string digest, Guid id = default,
        IReadOnlyDictionary<string, ColumnAnnotation>? annotations = null)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..]; // a UTF-8 byte order mark is tolerated, not part of the first column's name
        }

        return DatasetAnalyzer.Analyze(text, limits, labelColumn, declaredKinds, digest, id, annotations);
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

        [LoggerMessage(2002, LogLevel.Information, "Dataset {DatasetId}: card numbers in {Cells} cells of {Columns} columns replaced ({Policy}) before storage")]
        public static partial void CardNumbersReplaced(ILogger logger, Guid datasetId, int cells, int columns, string policy);
    }
}
