using System.Security.Cryptography;
using Bulwark.Core.Compliance;

namespace Bulwark.Core.Tests.Compliance;

public sealed class CardNumberDetectorTests
{
    [Theory]
    [InlineData("4111111111111111")] // Visa
    [InlineData("4222222222222")] // Visa, 13 digits
    [InlineData("5555555555554444")] // Mastercard
    [InlineData("2223003122003222")] // Mastercard 2-series
    [InlineData("378282246310005")] // American Express
    [InlineData("6011111111111117")] // Discover
    [InlineData("3530111333300000")] // JCB
    [InlineData("30569309025904")] // Diners Club
    [InlineData("6200000000000005")] // UnionPay
    [InlineData("4111 1111 1111 1111")]
    [InlineData("4111-1111-1111-1111")]
    [InlineData("3782 822463 10005")]
    [InlineData(" 4111111111111111 ")]
    public void IsPan_PublishedTestCards_AreCards(string cell) => Assert.True(CardNumberDetector.IsPan(cell));

    [Theory]
    [InlineData("4111111111111112")] // Luhn fails
    [InlineData("5555555555554443")] // Luhn fails
    [InlineData("411111111111")] // 12 digits
    [InlineData("41111111111111111111")] // 20 digits
    [InlineData("4111_1111_1111_1111")] // not a card separator
    [InlineData("4111 1111 1111 111x")]
    [InlineData("-4111 1111 1111 1111")]
    [InlineData("")]
    public void IsPan_NearMisses_AreNotCards(string cell) => Assert.False(CardNumberDetector.IsPan(cell));

    [Theory]
    [InlineData("1")] // UATP and nanosecond timestamps
    [InlineData("7")]
    [InlineData("83")]
    [InlineData("90")]
    [InlineData("0")]
    public void IsPan_LuhnValidWithAnUnissuedPrefix_IsNotACard(string prefix)
    {
        for (var i = 0; i < 50; i++)
        {
            var number = TestCards.Random(prefix);
            Assert.True(CardNumberDetector.PassesLuhn(number));
            Assert.False(CardNumberDetector.IsPan(number), number);
        }
    }

    [Theory]
    [InlineData("34", 16)] // American Express issues 15 digits only
    [InlineData("51", 15)] // Mastercard issues 16 only
    [InlineData("51", 19)]
    public void IsPan_LuhnValidWithTheWrongLengthForTheScheme_IsNotACard(string prefix, int length) =>
        Assert.False(CardNumberDetector.IsPan(TestCards.Random(prefix, length)));

    [Fact]
    public void PassesLuhn_AnySingleDigitChange_IsDetected()
    {
        // Luhn catches every single-digit substitution: the property that makes a one-digit typo not a card.
        for (var trial = 0; trial < 200; trial++)
        {
            var pan = TestCards.Random("4");
            var position = RandomNumberGenerator.GetInt32(pan.Length);
            var changed = (char)('0' + ((pan[position] - '0' + 1 + RandomNumberGenerator.GetInt32(9)) % 10));
            var typo = string.Concat(pan.AsSpan(0, position), changed.ToString(), pan.AsSpan(position + 1));
            Assert.True(CardNumberDetector.PassesLuhn(pan));
            Assert.False(CardNumberDetector.PassesLuhn(typo), $"{pan} → {typo}");
        }
    }

    [Fact]
    public void Find_CardInsideFreeText_IsFoundWithItsPosition()
    {
        const string Text = "paid with 4111 1111 1111 1111 on 2024-01-15, refund to 5555555555554444.";

        var found = CardNumberDetector.Find(Text);

        Assert.Equal(2, found.Count);
        Assert.Equal("4111111111111111", found[0].Digits);
        Assert.Equal("4111 1111 1111 1111", Text.Substring(found[0].Start, found[0].Length));
        Assert.Equal("5555555555554444", found[1].Digits);
    }

    [Theory]
    [InlineData("ref 1234 4111111111111111")] // a longer run: the card is found as its own group
    [InlineData("x4111111111111111y")]
    [InlineData("4111111111111111.25")]
    public void Find_CardNextToOtherDigitsOrLetters_IsFound(string text) =>
        Assert.Contains(CardNumberDetector.Find(text), o => o.Digits == "4111111111111111");

    [Theory]
    [InlineData("GB82WEST12345698765432")] // IBANs are scanned as IBANs, not for cards
    [InlineData("order 2024-01-15 10:30:00, total 12.50")]
    [InlineData("1700000000000000000")] // a nanosecond timestamp
    [InlineData("+44 20 7946 0958")]
    [InlineData("4111111111111112")]
    [InlineData("0.6200000000000001")] // floating-point noise: a fraction, not a card
    [InlineData("-12.2200000000000002")]
    public void Find_TextWithoutCards_FindsNothing(string text) => Assert.Empty(CardNumberDetector.Find(text));

    [Theory]
    [InlineData("4111.1111.1111.1111")] // dotted grouping
    [InlineData("4111  1111 1111 1111")] // double space
    [InlineData("4111\u00A01111\u00A01111\u00A01111")] // no-break spaces
    [InlineData("4111\u20091111\u20091111\u20091111")] // thin spaces
    [InlineData("4111/1111/1111/1111")]
    [InlineData("4111\u20131111\u20131111\u20131111")] // en dashes
    [InlineData("４１１１１１１１１１１１１１１１")] // full-width digits
    [InlineData("card: 4111 - 1111 - 1111 - 1111, exp 12/29")]
    public void Find_OtherSpellingsOfACard_AreFound_AndIsPanAgrees(string text)
    {
        var found = Assert.Single(CardNumberDetector.Find(text));
        Assert.Equal("4111111111111111", found.Digits);
        if (!text.Contains(':', StringComparison.Ordinal))
        {
            Assert.True(CardNumberDetector.IsPan(text));
        }

        // Masking works on the original positions whatever the spelling.
        Assert.DoesNotContain("4111", PanMasking.Scrub(text)[..^4].Replace("1111", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("412.3456789012345")] // one dot: a decimal, never a card
    [InlineData("192.168.100.200")] // an address: dotted, too few digits
    [InlineData("2026.11.29")]
    [InlineData("4111.1111.1111.1111.1")] // a group too short to be card grouping
    public void Find_DottedNumbersThatAreNotCards_FindsNothing(string text) => Assert.Empty(CardNumberDetector.Find(text));

    [Fact]
    public void Find_FractionThenACard_StillFindsTheCard() =>
        Assert.Contains(CardNumberDetector.Find("v1.2 4111111111111111"), o => o.Digits == "4111111111111111");

    [Fact]
    public void Find_FloatingPointNoise_NeverLooksLikeACard()
    {
        // What a CSV writer prints for sums of small decimals: the fraction's 16–17 digits pass Luhn one time in ten.
        for (var i = 0; i < 20_000; i++)
        {
            var value = i * 0.37;
            var text = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            Assert.Empty(CardNumberDetector.Find(text));
        }
    }

    [Fact]
    public void IsCardShaped_LuhnFailingSixteenDigits_IsShapedButNotAPan()
    {
        Assert.True(CardNumberDetector.IsCardShaped("4111-1111-1111-1112", out var digits));
        Assert.Equal("4111111111111112", digits);
        Assert.False(CardNumberDetector.IsValidPan(digits));
    }
}
