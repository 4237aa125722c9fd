using Bulwark.Core.Compliance;

namespace Bulwark.Core.Tests.Compliance;

public sealed class PanMaskingTests
{
    [Theory]
    [InlineData("4111111111111111", "411111******1111")]
    [InlineData("378282246310005", "378282*****0005")]
    [InlineData("4222222222222", "422222***2222")]
    [InlineData("6200000000000000005", "620000*********0005")]
    public void Truncate_KeepsFirstSixAndLastFour(string pan, string expected) => Assert.Equal(expected, PanMasking.Truncate(pan));

    [Fact]
    public void LastFour_ShowsOnlyTheLastFour() => Assert.Equal("************1111", PanMasking.LastFour("4111111111111111"));

    [Fact]
    public void Scrub_TextQuotingCards_MasksEachToItsLastFour()
    {
        var scrubbed = PanMasking.Scrub("Column 'c4111111111111111' and 5555-5555-5555-4444 are unknown.");

        Assert.Equal("Column 'c************1111' and ************4444 are unknown.", scrubbed);
    }

    [Fact]
    public void Scrub_TextWithoutCards_IsReturnedAsIs()
    {
        const string Text = "Row 3 (line 4), column 'amount': the cell is empty.";

        Assert.Same(Text, PanMasking.Scrub(Text));
    }
}
