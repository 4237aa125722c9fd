using Bulwark.Core.Compliance;
using Bulwark.Core.Datasets;

namespace Bulwark.Core.Tests.Compliance;

public sealed class ColumnTagsTests
{
    [Fact]
    public void ParseDeclarations_ColumnTagPairs_AreParsed()
    {
        var parsed = ColumnTags.ParseDeclarations("ssn:pii, notes:none,diagnosis:PHI,card:pci");

        Assert.True(parsed.Succeeded);
        Assert.Equal(4, parsed.Value.Count);
        Assert.Equal("phi", parsed.Value["diagnosis"]);
        Assert.Equal("none", parsed.Value["notes"]);
    }

    [Theory]
    [InlineData("ssn:secret")]
    [InlineData("ssn")]
    [InlineData(":pii")]
    [InlineData("ssn:pii,ssn:phi")]
    public void ParseDeclarations_BadDeclarations_AreDatasetInvalid(string text) =>
        Assert.Equal(DatasetErrors.Invalid, ColumnTags.ParseDeclarations(text).Failure?.Code);

    [Theory]
    [InlineData(null, DataClassification.Public)]
    [InlineData("pii", DataClassification.Confidential)]
    [InlineData("phi", DataClassification.Restricted)]
    [InlineData("pci", DataClassification.Restricted)]
    public void Floor_EachTag_ImpliesItsMinimumClassification(string? tag, DataClassification floor) => Assert.Equal(floor, ColumnTags.Floor(tag));
}
