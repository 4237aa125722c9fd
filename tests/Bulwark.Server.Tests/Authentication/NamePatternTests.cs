using Bulwark.Core.Identity;

namespace Bulwark.Server.Tests.Authentication;

/// <summary>"$" matches before a final "\n"; the name patterns must anchor at the very end of the string.</summary>
public sealed class NamePatternTests
{
    [Theory]
    [InlineData("fraud\n")]
    [InlineData("fraud\r\n")]
    [InlineData("\nfraud")]
    [InlineData("")]
    public void IsValidModelName_NewlineOrEmpty_IsFalse(string name) =>
        Assert.False(Permissions.IsValidModelName(name));

    [Fact]
    public void IsValidModelName_PlainName_IsTrue() =>
        Assert.True(Permissions.IsValidModelName("fraud"));

    [Theory]
    [InlineData("predict:fraud\n")]
    [InlineData("predict:*\n")]
    public void IsValidScope_TrailingNewline_IsFalse(string scope) =>
        Assert.False(Permissions.IsValidScope(scope));
}
