using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Bulwark.Core.Tests.Compliance;
using Bulwark.Core.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Datasets;

/// <summary>
/// Column tagging and the PAN policy at import: a card number in the upload must never reach the stored file, the
/// schema, the ledger or a message in clear, under any policy, wherever in the CSV it hides.
/// </summary>
public sealed class DatasetScreeningTests
{
    private static readonly string Canary = TestCards.Random("4");
    private static readonly string Other = TestCards.Random("51");

    /// <summary>Eleven rows: a card column (the canary twice, written two ways, and one Luhn typo), e-mails, a stray card in notes.</summary>
    private static string CardCsv()
    {
        var csv = new StringBuilder("customer,card,email,amount,notes,label\n");
        for (var i = 0; i < 11; i++)
        {
            var card = i switch
            {
                0 => Canary,
                4 => string.Join(' ', Canary.Chunk(4).Select(c => new string(c))),
                7 => TestCards.BreakLuhn(Other),
                _ => TestCards.Random("4"),
            };
            var notes = i == 3 ? $"\"paid with {Canary}, thanks\"" : "ok";
            csv.Append($"c{i},{card},person{i}@example.com,{i + 0.5},{notes},{(i % 2 == 0 ? "yes" : "no")}\n");
        }

        return csv.ToString();
    }

    private static async Task SetPolicyAsync(CoreTestEnvironment env, string policy)
    {
        await using var scope = env.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        var project = await db.Projects.SingleAsync(p => p.Id == ProjectIds.Default);
        project.PanPolicy = policy;
        await db.SaveChangesAsync();
    }

    private static async Task<Outcome<Dataset>> ImportAsync(
        CoreTestEnvironment env, string csv, string? label = "label", IReadOnlyDictionary<string, string>? tags = null,
        DataClassification classification = DataClassification.Internal, string name = "cards")
    {
        await using var scope = env.Scope();
        var importer = scope.ServiceProvider.GetRequiredService<DatasetImporter>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        return await importer.ImportAsync(new DatasetImportRequest(name, classification, label, null, "key:test", "127.0.0.1", tags), stream);
    }

    private static DatasetSchema SchemaOf(CoreTestEnvironment env, Dataset dataset) =>
        DatasetSchema.FromJson(SealedColumn.Open(env.Services.GetRequiredService<EnvelopeEncryption>(), dataset.SchemaJson, dataset.Id, SealedColumn.DatasetSchemaPurpose));

    private static async Task<string> StoredCsvAsync(CoreTestEnvironment env, Dataset dataset) =>
        Encoding.UTF8.GetString(await env.Services.GetRequiredService<ArtifactStore>().GetAsync(DatasetImporter.ArtifactPurpose, dataset.Id.ToString("N")));

    private static void AssertNoCanary(string text)
    {
        Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
        Assert.DoesNotContain(string.Join(' ', Canary.Chunk(4).Select(c => new string(c))), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary[..12], text, StringComparison.Ordinal);
    }

    private static async Task<string> LedgerAsync(CoreTestEnvironment env)
    {
        await using var scope = env.Scope();
        var events = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.IgnoreQueryFilters().Select(e => e.Details).ToListAsync();
        return string.Join('\n', events);
    }

    [Fact]
    public async Task ImportAsync_DefaultPolicy_RejectsNamingRowAndColumnWithoutTheNumber()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var outcome = await ImportAsync(env, CardCsv());

        Assert.Equal(DatasetErrors.PanDetected, outcome.Failure?.Code);
        Assert.Equal(422, outcome.Failure!.Status);
        Assert.Contains("Row 1 (line 2), column 'card'", outcome.Failure.Detail, StringComparison.Ordinal);
        Assert.Contains(Canary[^4..], outcome.Failure.Detail, StringComparison.Ordinal);
        AssertNoCanary(outcome.Failure.Detail);
        Assert.Equal("card", outcome.Failure.Extensions!["column"]);
        var ledger = await LedgerAsync(env);
        Assert.Contains("\"column\":\"card\"", ledger, StringComparison.Ordinal);
        AssertNoCanary(ledger);
        await using var scope = env.Scope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().Datasets.CountAsync());
        Assert.False(Directory.Exists(Path.Combine(env.DataDir, "objects", "dataset")) && Directory.EnumerateFiles(Path.Combine(env.DataDir, "objects", "dataset")).Any());
    }

    [Fact]
    public async Task ImportAsync_OneStrayCardInAFreeTextColumn_IsRejectedToo()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var csv = "id,notes\n1,fine\n2,fine\n3,\"card " + Canary + " expired\"\n4,fine\n";

        var outcome = await ImportAsync(env, csv, label: null);

        Assert.Equal(DatasetErrors.PanDetected, outcome.Failure?.Code);
        Assert.Contains("Row 3 (line 4), column 'notes'", outcome.Failure!.Detail, StringComparison.Ordinal);
        AssertNoCanary(outcome.Failure.Detail);
    }

    [Fact]
    public async Task ImportAsync_Truncate_StoresFirstSixLastFourEverywhereAndTagsTheColumns()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await SetPolicyAsync(env, "truncate");

        var outcome = await ImportAsync(env, CardCsv());

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        var stored = await StoredCsvAsync(env, outcome.Value);
        AssertNoCanary(stored);
        Assert.Contains($"c0,{Canary[..6]}******{Canary[^4..]},", stored, StringComparison.Ordinal);
        Assert.Contains($"c4,{Canary[..6]}******{Canary[^4..]},", stored, StringComparison.Ordinal); // the spaced form too
        Assert.Contains($"{Other[..6]}******", stored, StringComparison.Ordinal); // a Luhn typo in a card column is still cardholder data
        Assert.Contains($"\"paid with {Canary[..6]}******{Canary[^4..]}, thanks\"", stored, StringComparison.Ordinal);

        var schema = SchemaOf(env, outcome.Value);
        AssertNoCanary(schema.ToJson());
        var card = schema.Find("card")!;
        Assert.Equal(ColumnKind.Identifier, card.Kind);
        Assert.Null(card.Categories);
        Assert.Equal(("pci", "card-number", "truncated"), (card.Tag, card.Detected, card.Protection));
        Assert.Equal(("pci", "truncated"), (schema.Find("notes")!.Tag, schema.Find("notes")!.Protection));
        Assert.Equal(("pii", "email"), (schema.Find("email")!.Tag, schema.Find("email")!.Detected));
        Assert.Null(schema.Find("amount")!.Tag);
        Assert.Equal(DataClassification.Restricted, outcome.Value.Classification);

        var ledger = await LedgerAsync(env);
        AssertNoCanary(ledger);
        Assert.Contains("\"policy\":\"truncate\"", ledger, StringComparison.Ordinal);
        Assert.Contains("\"declaredClassification\":\"internal\"", ledger, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_Tokenise_EqualCardsGetEqualTokensWhateverTheirFormatting()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await SetPolicyAsync(env, "tokenise");

        var outcome = await ImportAsync(env, CardCsv());

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        var stored = await StoredCsvAsync(env, outcome.Value);
        AssertNoCanary(stored);
        var rows = stored.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Split(',')).ToList();
        Assert.All(rows, r => Assert.StartsWith("tok_", r[1], StringComparison.Ordinal));
        Assert.Equal(rows[0][1], rows[4][1]);
        Assert.Equal(10, rows.Select(r => r[1]).Distinct().Count());
        Assert.Contains($"paid with {rows[0][1]}", stored, StringComparison.Ordinal);
        Assert.Equal("tokenised", SchemaOf(env, outcome.Value).Find("card")!.Protection);
    }

    [Fact]
    public async Task LoadAsync_TruncatedDataset_KeepsTheIdentifierAndTags_AndTrainingLeavesTheCardsOut()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await SetPolicyAsync(env, "truncate");
        var imported = await ImportAsync(env, CardCsv());
        Assert.True(imported.Succeeded, imported.Failure?.Detail);

        await using var scope = env.Scope();
        var loaded = await scope.ServiceProvider.GetRequiredService<DatasetCatalog>().LoadAsync(imported.Value.Id);

        Assert.True(loaded.Succeeded, loaded.Failure?.Detail);
        Assert.Equal(ColumnKind.Identifier, loaded.Value.Find("card")!.Schema.Kind);
        Assert.Equal("pci", loaded.Value.Find("card")!.Schema.Tag);
        Assert.All(loaded.Value.Find("card")!.Values!, v => Assert.Contains("******", v, StringComparison.Ordinal));
        var prepared = TrainingData.Prepare(loaded.Value, new TrainingRequest(imported.Value.Id, "label"));
        Assert.True(prepared.Succeeded, prepared.Failure?.Detail);
        Assert.DoesNotContain(prepared.Value.Schema.Features, f => f.Name == "card");
        Assert.Contains(prepared.Value.Schema.Features, f => f.Name == "amount");
    }

    [Theory]
    [InlineData("none")]
    [InlineData("pii")]
    [InlineData("phi")]
    public async Task ImportAsync_CardColumnDeclaredAnythingButPci_IsRefused(string declared)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await SetPolicyAsync(env, "truncate");

        var outcome = await ImportAsync(env, CardCsv(), tags: new Dictionary<string, string> { ["card"] = declared });

        Assert.Equal(DatasetErrors.TagConflict, outcome.Failure?.Code);
        Assert.Equal(422, outcome.Failure!.Status);
        AssertNoCanary(outcome.Failure.Detail);
        await using var scope = env.Scope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().Datasets.CountAsync());
    }

    [Fact]
    public async Task ImportAsync_StrayCardColumnDeclaredNone_IsRefused()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await SetPolicyAsync(env, "truncate");

        var outcome = await ImportAsync(env, CardCsv(), tags: new Dictionary<string, string> { ["card"] = "pci", ["notes"] = "none" });

        Assert.Equal(DatasetErrors.TagConflict, outcome.Failure?.Code);
        Assert.Contains("'notes'", outcome.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_DeclaredTags_WinOverDetectionAndRaiseTheClassification()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var csv = "name,email,score,label\n" + string.Concat(Enumerable.Range(0, 5).Select(i => $"n{i},p{i}@example.com,{i},{(i % 2 == 0 ? "sick" : "well")}\n"));

        var outcome = await ImportAsync(env, csv, tags: new Dictionary<string, string> { ["name"] = "pii", ["email"] = "none", ["label"] = "phi" },
            classification: DataClassification.Public);

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        var schema = SchemaOf(env, outcome.Value);
        Assert.Equal("pii", schema.Find("name")!.Tag);
        Assert.Equal((null, "email"), (schema.Find("email")!.Tag, schema.Find("email")!.Detected));
        Assert.Equal("phi", schema.Find("label")!.Tag);
        Assert.Null(schema.Find("score")!.Tag);
        Assert.Equal(DataClassification.Restricted, outcome.Value.Classification);
    }

    [Theory]
    [InlineData("email\na@example.com\nb@example.com\nc@example.com\n", DataClassification.Public, DataClassification.Confidential)]
    [InlineData("email\na@example.com\nb@example.com\nc@example.com\n", DataClassification.Restricted, DataClassification.Restricted)]
    [InlineData("ssn\n536-22-1234\n536-22-1235\n536-22-1236\n", DataClassification.Internal, DataClassification.Confidential)]
    [InlineData("x\n1\n2\n3\n", DataClassification.Public, DataClassification.Public)]
    public async Task ImportAsync_DetectedTags_RaiseTheClassificationNeverLowerIt(string csv, DataClassification declared, DataClassification expected)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var outcome = await ImportAsync(env, csv, label: null, classification: declared);

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        Assert.Equal(expected, outcome.Value.Classification);
    }

    [Fact]
    public async Task ImportAsync_TagForAMissingColumn_IsDatasetInvalid()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var outcome = await ImportAsync(env, "a,b\n1,2\n", label: null, tags: new Dictionary<string, string> { ["c"] = "pii" });

        Assert.Equal(DatasetErrors.Invalid, outcome.Failure?.Code);
    }

    [Fact]
    public async Task ImportAsync_CardColumnAsTheLabel_IsDatasetInvalid()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await SetPolicyAsync(env, "truncate");

        var outcome = await ImportAsync(env, CardCsv(), label: "card");

        Assert.Equal(DatasetErrors.Invalid, outcome.Failure?.Code);
        AssertNoCanary(outcome.Failure!.Detail);
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("tokenise")]
    public async Task ImportAsync_CardInTheHeaderOrTheName_IsRejectedUnderEveryPolicy(string policy)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await SetPolicyAsync(env, policy);

        var header = await ImportAsync(env, $"a,c{Canary}\n1,2\n", label: null);
        var name = await ImportAsync(env, "a\n1\n", label: null, name: "batch " + string.Join(' ', Canary.Chunk(4).Select(c => new string(c))));

        Assert.Equal(DatasetErrors.PanDetected, header.Failure?.Code);
        Assert.Equal(DatasetErrors.PanDetected, name.Failure?.Code);
        AssertNoCanary(header.Failure!.Detail + name.Failure!.Detail + await LedgerAsync(env));
    }

    [Theory]
    [InlineData("a,b\n1,{0}\"x\n")] // a quote inside the unquoted cell holding the card
    [InlineData("a,b\n1,\"{0}\"x\n")] // text after the closing quote
    [InlineData("a,b\n1,\"{0}\n")] // a quote never closed
    [InlineData("a,b\n1,2\n{0}\n")] // a short row starting with the card
    [InlineData("a,b\n1,2,{0}\n")] // a long row ending with it
    public async Task ImportAsync_MalformedCellHoldingACard_FailsWithoutEchoingIt(string template)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await SetPolicyAsync(env, "truncate");

        var outcome = await ImportAsync(env, string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Canary), label: null);

        Assert.False(outcome.Succeeded);
        AssertNoCanary(outcome.Failure.Detail);
        AssertNoCanary(await LedgerAsync(env));
    }

    [Fact]
    public async Task ImportAsync_LabelOrTagNamingACard_FailureDetailIsMasked()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var label = await ImportAsync(env, "a,b\n1,2\n", label: "c" + Canary);
        var tag = await ImportAsync(env, "a,b\n1,2\n", label: null, tags: new Dictionary<string, string> { ["c" + Canary] = "pii" });

        Assert.Equal(DatasetErrors.Invalid, label.Failure?.Code);
        Assert.Equal(DatasetErrors.Invalid, tag.Failure?.Code);
        AssertNoCanary(label.Failure!.Detail);
        AssertNoCanary(tag.Failure!.Detail);
        Assert.Contains(Canary[^4..], tag.Failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_DatasetWithoutCards_IsStoredByteForByte()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await SetPolicyAsync(env, "tokenise");
        const string Csv = "\uFEFFid,order_ref,amount\n1,9000000000000005,1.5\n2,1700000000000000000,2.5\n";

        var outcome = await ImportAsync(env, Csv, label: null);

        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        Assert.Equal(Csv, await StoredCsvAsync(env, outcome.Value));
        Assert.Equal(DataClassification.Internal, outcome.Value.Classification);
        Assert.DoesNotContain(AuditCodes.DatasetRejected, await AuditCodesAsync(env));
    }

    private static async Task<List<int>> AuditCodesAsync(CoreTestEnvironment env)
    {
        await using var scope = env.Scope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.IgnoreQueryFilters().Select(e => e.Code).ToListAsync();
    }
}
