using Bulwark.Core.Compliance;

namespace Bulwark.Core.Tests.Compliance;

public sealed class ColumnScannerTests
{
    private static readonly DateOnly Today = new(2026, 11, 1);

    private static SensitiveDataKind? Scan(string column, IEnumerable<string> cells)
    {
        var scanner = new ColumnScanner(column, Today);
        foreach (var cell in cells)
        {
            scanner.Observe(cell);
        }

        return scanner.Detected();
    }

    private static IEnumerable<string> Emails(int count) => Enumerable.Range(0, count).Select(i => $"person{i}@example.com");

    private static IEnumerable<string> Words(int count) => Enumerable.Range(0, count).Select(i => $"word{i}");

    [Theory]
    [InlineData(10, 0, true)]
    [InlineData(8, 2, true)] // exactly the 80 % threshold
    [InlineData(7, 3, false)] // below it
    [InlineData(3, 0, true)] // the minimum count
    [InlineData(2, 0, false)] // two lucky cells are not a column of them
    [InlineData(1, 99, false)]
    public void Detected_UnhintedColumn_NeedsTheShareAndTheMinimumCount(int matching, int other, bool detected) =>
        Assert.Equal(detected ? SensitiveDataKind.Email : null, Scan("contact", Emails(matching).Concat(Words(other))));

    [Theory]
    [InlineData(1, 1, true)] // a hint in the name: half the cells and one match suffice
    [InlineData(1, 2, false)]
    public void Detected_HintedColumn_NeedsHalf(int matching, int other, bool detected) =>
        Assert.Equal(detected ? SensitiveDataKind.Email : null, Scan("email", Emails(matching).Concat(Words(other))));

    [Fact]
    public void Detected_EmptyCells_DoNotCountAgainstTheShare() =>
        Assert.Equal(SensitiveDataKind.Email, Scan("contact", Emails(4).Concat(["", "", "", "", ""])));

    [Fact]
    public void Detected_CardColumnWithALuhnTypo_IsStillACardColumn()
    {
        var cards = Enumerable.Range(0, 9).Select(_ => TestCards.Random("4")).Append(TestCards.BreakLuhn(TestCards.Random("4")));

        Assert.Equal(SensitiveDataKind.CardNumber, Scan("payment", cards));
    }

    [Fact]
    public void Detected_SixteenDigitIdsFailingLuhnOrPrefix_AreNotACardColumn()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => TestCards.BreakLuhn(TestCards.Random("4"))).Concat(Enumerable.Range(0, 20).Select(_ => TestCards.Random("9")));

        Assert.Null(Scan("order_id", ids));
    }

    [Fact]
    public void Detected_BarePhoneDigits_OnlyUnderAPhoneName()
    {
        string[] numbers = ["4155552671", "2125550123", "3105550199", "6175550142"];

        Assert.Null(Scan("ref", numbers));
        Assert.Equal(SensitiveDataKind.Phone, Scan("mobile_number", numbers));
    }

    [Fact]
    public void Detected_RecentDates_AreBirthDatesOnlyUnderABirthName()
    {
        string[] dates = ["2019-03-01", "2020-07-15", "2021-12-31", "2018-05-05"];

        Assert.Null(Scan("created", dates));
        Assert.Equal(SensitiveDataKind.BirthDate, Scan("DateOfBirth", dates));
        Assert.Equal(SensitiveDataKind.BirthDate, Scan("patient_dob", dates));
    }

    [Theory]
    [InlineData("card_number", "CardNumber")]
    [InlineData("CardNumber", "CardNumber")]
    [InlineData("cc-num", "CardNumber")]
    [InlineData("PAN", "CardNumber")]
    [InlineData("customer_ssn", "Ssn")]
    [InlineData("eMail", "Email")]
    [InlineData("dob", "BirthDate")]
    public void HeaderHints_WordsOfTheName_Hint(string name, string kind) => Assert.Contains(Enum.Parse<SensitiveDataKind>(kind), HeaderHints.Of(name));

    [Theory]
    [InlineData("discard_reason")]
    [InlineData("company")]
    [InlineData("panel")]
    [InlineData("telemetry")]
    [InlineData("emailed")]
    public void HeaderHints_WordsThatOnlyContainAHint_DoNotHint(string name) => Assert.Empty(HeaderHints.Of(name));
}
