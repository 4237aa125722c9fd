using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Tests.Datasets;

public sealed class DatasetImporterTests
{
    [Fact]
    public async Task ImportAsync_BundledCsv_RecordsSchemaDigestAndRows()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var outcome = await DatasetTestData.ImportBundledAsync(env);

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        var dataset = outcome.Value;
        var bytes = await File.ReadAllBytesAsync(DatasetTestData.BundledCsvPath);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), dataset.ContentDigest);
        Assert.Equal(569, dataset.RowCount);
        Assert.Equal(bytes.Length, dataset.SizeBytes);
        var schema = DatasetSchema.FromJson(SealedColumn.Open(env.Services.GetRequiredService<EnvelopeEncryption>(), dataset.SchemaJson, dataset.Id, SealedColumn.DatasetSchemaPurpose));
        Assert.Equal(31, schema.Columns.Count);
        Assert.Equal(30, schema.Columns.Count(c => c.Kind == ColumnKind.Numeric));
        var label = Assert.Single(schema.Columns, c => c.Kind == ColumnKind.Label);
        Assert.Equal("diagnosis", label.Name);
        Assert.Equal(["benign", "malignant"], label.Categories);
        var radius = schema.Find("mean_radius")!;
        Assert.Equal(6.981, radius.Min);
        Assert.Equal(28.11, radius.Max);
        Assert.InRange(radius.Mean!.Value, 14.12, 14.13);
        Assert.InRange(radius.StdDev!.Value, 3.5, 3.53);

        await using var scope = env.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        var audit = await db.AuditEvents.SingleAsync(e => e.Code == AuditCodes.DatasetImported);
        Assert.Equal("dataset/" + dataset.Id, audit.Resource);
        Assert.Contains(dataset.ContentDigest, audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_QuotedFieldsWithCommasNewlinesAndQuotes_ParsesPerRfc4180()
    {
        var csv = "id,city,label\r\n1,\"Paris, \"\"FR\"\"\",yes\r\n2,\"New\nYork\",no\r\n3,Oslo,no";
        var loaded = DatasetTestData.Parse(csv, "label");

        Assert.Equal(3, loaded.RowCount);
        Assert.Equal(["New\nYork", "Oslo", "Paris, \"FR\""], loaded.Find("city")!.Schema.Categories);
        Assert.Equal(ColumnKind.Numeric, loaded.Find("id")!.Schema.Kind);
    }

    [Theory]
    [InlineData("a,b\n1,\"x\n2,3\n", "Row 1", "'b'")] // unbalanced quote
    [InlineData("a,b\n1,2\n3\n", "Row 2", "'b'")] // ragged: too few fields
    [InlineData("a,b\n1,2\n3,4,5\n", "Row 2", "'b'")] // ragged: too many fields
    [InlineData("a,b\n1,2\n1e309,3\n", "Row 2", "'a'")]
    [InlineData("a,b\n1,2\n-1e309,3\n", "Row 2", "'a'")]
    [InlineData("a,b\n1,NaN\n", "Row 1", "'b'")]
    [InlineData("a,b\n1,2\n4,Infinity\n", "Row 2", "'b'")]
    [InlineData("a,b\n1,2\n,3\n", "Row 2", "'a'")] // empty numeric cell
    [InlineData("a,b\n1,x\"y\n", "Row 1", "'b'")] // quote inside an unquoted field
    [InlineData("a,b\n\"x\"y,2\n", "Row 1", "'a'")] // text after a closing quote
    [InlineData("a,b\r1,2\n", "Header", "column 2")] // lone CR
    [InlineData("a,,c\n1,2,3\n", "Header", "column 2")] // empty header name
    [InlineData("a,b,a\n1,2,3\n", "Header", "column 3")] // duplicate header
    [InlineData("a,../b\n1,2\n", "Header", "column 2")] // header name outside the allowed pattern
    [InlineData("", "empty", "header")]
    public async Task ImportAsync_MalformedCsv_FailsNamingRowAndColumn(string csv, string row, string column)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var outcome = await DatasetTestData.ImportAsync(env, csv);

        Assert.False(outcome.Succeeded);
        Assert.Equal(DatasetErrors.CsvMalformed, outcome.Failure.Code);
        Assert.Equal(400, outcome.Failure.Status);
        Assert.Contains(row, outcome.Failure.Detail, StringComparison.Ordinal);
        Assert.Contains(column, outcome.Failure.Detail, StringComparison.Ordinal);
        await using var scope = env.Scope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().Datasets.CountAsync());
    }

    [Fact]
    public async Task ImportAsync_DeclaredNumericColumnWithText_FailsNamingRow()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var outcome = await DatasetTestData.ImportAsync(env, "a,b\n1,2\n3,x\n", kinds: new Dictionary<string, string> { ["b"] = "numeric" });

        Assert.Equal(DatasetErrors.CsvMalformed, outcome.Failure?.Code);
        Assert.Contains("Row 2 (line 3), column 'b'", outcome.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_MalformedCell_DetailNeverEchoesTheValue()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var outcome = await DatasetTestData.ImportAsync(env, "a,b\n1,SECRET\"VALUE\n");

        Assert.False(outcome.Succeeded);
        Assert.DoesNotContain("SECRET", outcome.Failure.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad/name", DataClassification.Public, null)]
    [InlineData("", DataClassification.Public, null)]
    [InlineData("ok", (DataClassification)42, null)]
    [InlineData("ok", DataClassification.Public, "missing")]
    public async Task ImportAsync_InvalidRequest_FailsWithDatasetInvalid(string name, DataClassification classification, string? label)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var importer = scope.ServiceProvider.GetRequiredService<DatasetImporter>();
        using var csv = new MemoryStream("a,b\n1,2\n"u8.ToArray());

        var outcome = await importer.ImportAsync(new DatasetImportRequest(name, classification, label, null, "key:test", null), csv);

        Assert.Equal(DatasetErrors.Invalid, outcome.Failure?.Code);
        Assert.Equal(400, outcome.Failure!.Status);
    }

    [Fact]
    public async Task ImportAsync_TooManyCategories_FailsWithDatasetInvalid()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var csv = "a,b\n" + string.Concat(Enumerable.Range(0, 1001).Select(i => $"{i},v{i}\n"));

        var outcome = await DatasetTestData.ImportAsync(env, csv);

        Assert.Equal(DatasetErrors.Invalid, outcome.Failure?.Code);
    }

    [Fact]
    public async Task ImportAsync_EndlessUpload_StopsAtTheCapWith413()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var importer = Importer(env, new DatasetsOptions { MaxBytes = 1 << 20 });
        var endless = new DatasetTestData.EndlessStream();

        var outcome = await importer.ImportAsync(DatasetTestData.Request(), endless);

        Assert.Equal(DatasetErrors.TooLarge, outcome.Failure?.Code);
        Assert.Equal(413, outcome.Failure!.Status);
        Assert.InRange(endless.BytesRead, (1 << 20) + 1, (1 << 20) + 128 * 1024); // never buffered far past the cap
    }

    [Theory]
    [InlineData("a,b\n1,2\n3,4\n5,6\n", 2, 10)] // 3 rows > 2
    [InlineData("a,b,c\n1,2,3\n", 10, 2)] // 3 columns > 2
    public async Task ImportAsync_TooManyRowsOrColumns_Fails413(string csv, int maxRows, int maxColumns)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var importer = Importer(env, new DatasetsOptions { MaxRows = maxRows, MaxColumns = maxColumns });

        var outcome = await importer.ImportAsync(DatasetTestData.Request(), new MemoryStream(Encoding.UTF8.GetBytes(csv)));

        Assert.Equal(DatasetErrors.TooLarge, outcome.Failure?.Code);
        Assert.Equal(413, outcome.Failure!.Status);
    }

    [Fact]
    public async Task ImportAsync_StoredFile_ContainsNoPlaintextCanary()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        const string Category = "CanaryZebra7731";
        const string Number = "31337.424242";
        var csv = $"kind,value\nplain,1.5\n{Category},{Number}\nplain,2.5\n";

        var outcome = await DatasetTestData.ImportAsync(env, csv);

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        var files = Directory.GetFiles(Path.Combine(env.DataDir, "objects"), "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Category)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Number)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("kind,value"u8));
        }

        // The audit event records the import, never a cell value.
        await using var scope = env.Scope();
        var details = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.Select(e => e.Details).ToListAsync();
        Assert.DoesNotContain(details, d => d.Contains(Category, StringComparison.Ordinal) || d.Contains(Number, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImportAsync_DatabaseSaveFails_DeletesTheStoredFile()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await env.ExecuteSqlAsync("DROP TABLE datasets");

        await Assert.ThrowsAnyAsync<Exception>(() => DatasetTestData.ImportAsync(env, "a,b\n1,2\n"));

        var objects = Path.Combine(env.DataDir, "objects");
        Assert.Empty(Directory.Exists(objects) ? Directory.GetFiles(objects, "*", SearchOption.AllDirectories) : []);
    }

    private static DatasetImporter Importer(CoreTestEnvironment env, DatasetsOptions options)
    {
        var scope = env.Scope();
        return new DatasetImporter(
            scope.ServiceProvider.GetRequiredService<BulwarkDbContext>(),
            scope.ServiceProvider.GetRequiredService<ProjectScope>(),
            env.Services.GetRequiredService<AuditLedger>(),
            env.Services.GetRequiredService<ArtifactStore>(),
            env.Services.GetRequiredService<EnvelopeEncryption>(),
            env.Services.GetRequiredService<Bulwark.Core.Compliance.PanTokeniser>(),
            Options.Create(options),
            env.Time,
            NullLogger<DatasetImporter>.Instance);
    }
}
