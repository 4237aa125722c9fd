using Bulwark.Core.Compliance;

namespace Bulwark.Core.Tests.Compliance;

public sealed class IbanDetectorTests
{
    [Theory]
    [InlineData("GB82WEST12345698765432")]
    [InlineData("DE89370400440532013000")]
    [InlineData("FR1420041010050500013M02606")]
    [InlineData("NL91ABNA0417164300")]
    [InlineData("BE68539007547034")]
    [InlineData("CH9300762011623852957")]
    [InlineData("NO9386011117947")]
    [InlineData("GB82 WEST 1234 5698 7654 32")] // printed form
    [InlineData("gb82west12345698765432")]
    public void IsIban_RegistryExamples_AreIbans(string cell) => Assert.True(IbanDetector.IsIban(cell));

    [Theory]
    [InlineData("GB83WEST12345698765432")] // check digits wrong
    [InlineData("GB82WEST12345698765423")] // two digits transposed
    [InlineData("DE8937040044053201300")] // one character short for Germany (MOD 97 alone would not say)
    [InlineData("GB82WEST1234569876543X")]
    [InlineData("GB82  WEST 1234 5698 7654 32")] // two spaces
    [InlineData("GB82-WEST-1234-5698-7654-32")]
    [InlineData("82GBWEST12345698765432")]
    [InlineData("GB82WEST")]
    [InlineData("4111111111111111")]
    public void IsIban_InvalidChecksumLengthOrShape_IsNotAnIban(string cell) => Assert.False(IbanDetector.IsIban(cell));
}
