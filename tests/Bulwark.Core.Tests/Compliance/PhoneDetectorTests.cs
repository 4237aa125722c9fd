using Bulwark.Core.Compliance;

namespace Bulwark.Core.Tests.Compliance;

public sealed class PhoneDetectorTests
{
    [Theory]
    [InlineData("+14155552671")] // E.164
    [InlineData("+44 20 7946 0958")]
    [InlineData("+1 (415) 555-2671")]
    [InlineData("+33 1 23 45 67 89")]
    [InlineData("0049 30 12345678")]
    [InlineData("(415) 555-2671")]
    [InlineData("415-555-2671")]
    [InlineData("415.555.2671")]
    [InlineData("1-415-555-2671")]
    [InlineData("020 7946 0958")]
    [InlineData("07700 900123")]
    [InlineData("01 23 45 67 89")]
    public void IsPhone_InternationalAndNationalFormats_ArePhones(string cell) => Assert.True(PhoneDetector.IsPhone(cell, hinted: false));

    [Theory]
    [InlineData("4155552671")] // ten bare digits: an id as likely as a phone
    [InlineData("1234567890")]
    [InlineData("123-456-7890")] // NANP area codes never start with 1
    [InlineData("415-155-2671")] // nor exchanges
    [InlineData("911-555-2671")] // N11 service code
    [InlineData("555-0100")] // seven digits
    [InlineData("123-45-6789")] // SSN-shaped
    [InlineData("2024-01-15")] // a date
    [InlineData("4111 1111 1111 1111")] // a card
    [InlineData("+4111111111111111")] // 16 digits: longer than E.164 allows
    [InlineData("+0123456789")] // no country code starts with 0
    [InlineData("+1 123 555 2671")] // +1 must be a NANP number
    [InlineData("ORD-415-555-2671")]
    [InlineData("41-55-55-26-71")] // ten digits, not written 3-3-4
    [InlineData("12.34.56.78")]
    [InlineData("(415 555-2671")]
    [InlineData("415--555-2671")]
    public void IsPhone_PhoneLikeIdsAndNearMisses_AreNotPhones(string cell) => Assert.False(PhoneDetector.IsPhone(cell, hinted: false));

    [Theory]
    [InlineData("4155552671")]
    [InlineData("14155552671")]
    [InlineData("07700900123")]
    public void IsPhone_BareDigits_CountOnlyWhenTheColumnNameHints(string cell)
    {
        Assert.True(PhoneDetector.IsPhone(cell, hinted: true));
        Assert.False(PhoneDetector.IsPhone(cell, hinted: false));
    }
}
