using Bulwark.Core.Compliance;

namespace Bulwark.Core.Tests.Compliance;

public sealed class BirthDateDetectorTests
{
    private static readonly DateOnly Today = new(2026, 11, 1);

    [Theory]
    [InlineData("1980-05-17")]
    [InlineData("1980/05/17")]
    [InlineData("17/05/1980")]
    [InlineData("05/17/1980")]
    [InlineData("17.05.1980")]
    [InlineData("1980-05-17T00:00:00Z")]
    [InlineData("1927-01-01")]
    [InlineData("2008-10-31")] // eighteen yesterday
    public void IsBirthDate_AdultsBirthDates_AreBirthDatesWithoutAHint(string cell) =>
        Assert.True(BirthDateDetector.IsBirthDate(cell, Today, hinted: false));

    [Theory]
    [InlineData("2024-01-15")] // recent: an order date, not a birth date
    [InlineData("2009-01-01")]
    [InlineData("1900-01-01")] // more than 100 years back
    [InlineData("2027-01-01")] // the future
    [InlineData("1980-02-30")] // not a date
    [InlineData("19800517")] // eight digits need a hint
    [InlineData("1980-5-17")]
    [InlineData("May 17, 1980")]
    public void IsBirthDate_OtherDatesAndNearMisses_AreNotWithoutAHint(string cell) =>
        Assert.False(BirthDateDetector.IsBirthDate(cell, Today, hinted: false));

    [Theory]
    [InlineData("2024-01-15", true)] // a child's birth date, under a "dob" column
    [InlineData("19800517", true)]
    [InlineData("1897-01-01", true)]
    [InlineData("1890-01-01", false)] // more than 130 years back
    [InlineData("2026-11-02", false)] // tomorrow
    public void IsBirthDate_WithAHint_AcceptsAnyPlausibleBirthDate(string cell, bool expected) =>
        Assert.Equal(expected, BirthDateDetector.IsBirthDate(cell, Today, hinted: true));
}
