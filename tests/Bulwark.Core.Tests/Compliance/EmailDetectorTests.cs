using Bulwark.Core.Compliance;

namespace Bulwark.Core.Tests.Compliance;

public sealed class EmailDetectorTests
{
    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("first.last+tag@mail.example.co.uk")]
    [InlineData("o'brien@example.ie")]
    [InlineData("x_y-z@sub-domain.example.org")]
    [InlineData("user@example.xn--p1ai")]
    public void IsEmail_Addresses_AreEmails(string cell) => Assert.True(EmailDetector.IsEmail(cell));

    [Theory]
    [InlineData("user@localhost")] // one label
    [InlineData("@example.com")]
    [InlineData("user@")]
    [InlineData("user@@example.com")]
    [InlineData("us@er@example.com")]
    [InlineData(".user@example.com")]
    [InlineData("user.@example.com")]
    [InlineData("us..er@example.com")]
    [InlineData("user@-example.com")]
    [InlineData("user@example..com")]
    [InlineData("user@example.c")] // one-letter top-level domain
    [InlineData("user@example.123")] // numeric top-level domain
    [InlineData("us er@example.com")]
    [InlineData("user@exa_mple.com")]
    [InlineData("example.com")]
    public void IsEmail_NearMisses_AreNotEmails(string cell) => Assert.False(EmailDetector.IsEmail(cell));

    [Fact]
    public void IsEmail_LocalPartOver64Characters_IsNotAnEmail() =>
        Assert.False(EmailDetector.IsEmail(new string('a', 65) + "@example.com"));
}
