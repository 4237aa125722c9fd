using Bulwark.Core.Compliance;

namespace Bulwark.Core.Tests.Compliance;

public sealed class SsnDetectorTests
{
    [Theory]
    [InlineData("536-22-1234")]
    [InlineData("123-45-6789")]
    [InlineData("001-01-0001")]
    [InlineData("899-99-9999")]
    [InlineData("536 22 1234")]
    public void IsSsn_IssuableNumbers_AreSsns(string cell) => Assert.True(SsnDetector.IsSsn(cell, hinted: false));

    [Theory]
    [InlineData("000-12-3456")] // area 000 is never issued
    [InlineData("666-12-3456")] // nor 666
    [InlineData("900-12-3456")] // nor 900–999
    [InlineData("999-99-9999")]
    [InlineData("123-00-4567")] // group 00
    [InlineData("123-45-0000")] // serial 0000
    [InlineData("078-05-1120")] // voided after it was printed on a wallet insert
    [InlineData("219-09-9999")] // voided after it was printed in an SSA leaflet
    [InlineData("123-456-789")]
    [InlineData("12-345-6789")]
    [InlineData("123-45 6789")] // mixed separators
    [InlineData("123-45-678a")]
    [InlineData("123456789")] // bare digits without a hint
    public void IsSsn_NeverIssuedOrNotAnSsnShape_IsNotAnSsn(string cell) => Assert.False(SsnDetector.IsSsn(cell, hinted: false));

    [Fact]
    public void IsSsn_BareNineDigits_CountOnlyWhenTheColumnNameHints()
    {
        Assert.True(SsnDetector.IsSsn("536221234", hinted: true));
        Assert.False(SsnDetector.IsSsn("666221234", hinted: true));
        Assert.False(SsnDetector.IsSsn("536221234", hinted: false));
    }
}
