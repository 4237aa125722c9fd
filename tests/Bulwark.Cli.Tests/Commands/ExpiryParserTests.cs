using Bulwark.Cli.Commands.Keys;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Cli.Tests.Commands;

public sealed class ExpiryParserTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("30d", 30 * 24)]
    [InlineData("12h", 12)]
    public void Parse_Duration_IsRelativeToTheClock(string value, int hours)
    {
        Assert.Equal(_time.GetUtcNow().AddHours(hours), ExpiryParser.Parse(value, _time));
    }

    [Fact]
    public void Parse_IsoDate_IsUtc()
    {
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), ExpiryParser.Parse("2026-03-01", _time));
    }

    [Theory]
    [InlineData("2020-01-01")] // in the past
    [InlineData("-5d")]
    [InlineData("0d")]
    [InlineData("soon")]
    public void Parse_PastOrGarbage_Throws(string value)
    {
        Assert.Throws<CliUsageException>(() => ExpiryParser.Parse(value, _time));
    }
}
