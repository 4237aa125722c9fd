using System.Text;
using Bulwark.Core.Datasets;
using Bulwark.Core.Training;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Datasets;

/// <summary>Parsing without the database: edge cases and a small fuzz.</summary>
public sealed class Rfc4180ReaderTests
{
    private static Outcome<LoadedDataset> Parse(string text, IReadOnlyDictionary<string, string>? kinds = null) =>
        DatasetImporter.Parse(text, new DatasetsOptions(), null, kinds, "digest");

    [Fact]
    public void Parse_DeclaredCategoricalOnNumbers_KeepsThemAsCategories()
    {
        var loaded = Parse("zip,n\n75001,1\n10115,2\n75001,3\n", new Dictionary<string, string> { ["zip"] = "categorical" });

        var zip = loaded.Value!.Find("zip")!;
        Assert.Equal(ColumnKind.Categorical, zip.Schema.Kind);
        Assert.Equal(["10115", "75001"], zip.Schema.Categories);
    }

    [Fact]
    public void Parse_ByteOrderMarkAndCrlf_AreTolerated()
    {
        var loaded = Parse("\uFEFFa,b\r\n1,2\r\n3,4\r\n");

        Assert.True(loaded.Succeeded, loaded.Failure?.Detail);
        Assert.Equal("a", loaded.Value.Columns[0].Name);
        Assert.Equal(2, loaded.Value.RowCount);
    }

    [Theory]
    [InlineData("1,000")] // thousands separators, hex and padding are not invariant numbers
    [InlineData("0x1F")]
    [InlineData(" 1")]
    public void Parse_NonInvariantNumberForms_MakeTheColumnCategorical(string cell)
    {
        var loaded = Parse($"a,b\n\"{cell}\",1\n2,1\n");

        Assert.Equal(ColumnKind.Categorical, loaded.Value!.Find("a")!.Schema.Kind);
    }

    [Fact]
    public void Parse_CellLongerThanTheCap_FailsNamingIt()
    {
        var loaded = Parse($"a,b\n1,{new string('x', 257)}\n");

        Assert.Equal(DatasetErrors.CsvMalformed, loaded.Failure?.Code);
        Assert.Contains("Row 1 (line 2), column 'b'", loaded.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_InvalidUtf8_FailsAsMalformed()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var importer = scope.ServiceProvider.GetRequiredService<DatasetImporter>();

        var outcome = await importer.ImportAsync(DatasetTestData.Request(), new MemoryStream([(byte)'a', (byte)'\n', 0xC3, 0x28, (byte)'\n']));

        Assert.Equal(DatasetErrors.CsvMalformed, outcome.Failure?.Code);
        Assert.Contains("UTF-8", outcome.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RandomGarbage_NeverThrows()
    {
        // Seeded, so a failure reproduces. Alphabet chosen to hit every state of the reader.
        var random = SeededRandom.Create(20261128);
        const string Alphabet = "ab1.-e\",\r\n ";
        for (var i = 0; i < 2000; i++)
        {
            var text = new StringBuilder();
            var length = random.Next(0, 40);
            for (var c = 0; c < length; c++)
            {
                text.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            var outcome = Parse(text.ToString());

            if (!outcome.Succeeded)
            {
                Assert.StartsWith("dataset.", outcome.Failure.Code, StringComparison.Ordinal);
            }
        }
    }
}
