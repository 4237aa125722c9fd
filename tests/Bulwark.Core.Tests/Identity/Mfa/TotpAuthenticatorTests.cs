using System.Text;
using Bulwark.Core.Identity.Mfa;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Identity.Mfa;

public sealed class TotpAuthenticatorTests
{
    // RFC 6238 Appendix B: the SHA1 seed is the ASCII string "12345678901234567890".
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    private static TotpAuthenticator At(long unixSeconds, out FakeTimeProvider time)
    {
        time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));
        return new TotpAuthenticator(time);
    }

    [Theory]
    [InlineData(59, "287082")]          // 94287082
    [InlineData(1111111109, "081804")]  // 07081804
    [InlineData(1111111111, "050471")]  // 14050471
    [InlineData(1234567890, "005924")]  // 89005924
    [InlineData(2000000000, "279037")]  // 69279037
    public void Verify_Rfc6238Sha1Vector_Accepted(long time, string code)
    {
        var result = At(time, out _).Verify(RfcSecret, code, null);

        Assert.True(result.Valid);
        Assert.Equal(time / 30, result.MatchedStep);
        Assert.Null(result.Code);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(-30)]
    public void Verify_OneStepOfDrift_Accepted(int drift)
    {
        var result = At(1111111109 + drift, out _).Verify(RfcSecret, "081804", null);

        Assert.True(result.Valid);
        Assert.Equal(1111111109 / 30, result.MatchedStep);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(-60)]
    [InlineData(3600)]
    public void Verify_TwoOrMoreStepsOfDrift_Refused(int drift)
    {
        var result = At(1111111109 + drift, out _).Verify(RfcSecret, "081804", null);

        Assert.False(result.Valid);
        Assert.Equal(MfaFailureCodes.CodeIncorrect, result.Code);
    }

    [Fact]
    public void Verify_SameCodeTwice_SecondIsReplay()
    {
        var totp = At(59, out _);
        var first = totp.Verify(RfcSecret, "287082", null);

        var second = totp.Verify(RfcSecret, "287082", first.MatchedStep);

        Assert.True(first.Valid);
        Assert.False(second.Valid);
        Assert.Equal(MfaFailureCodes.CodeReplayed, second.Code);
    }

    [Fact]
    public void Verify_CodeOlderThanLastUsedStep_RefusedAsReplay()
    {
        // The previous step's code is inside the drift window but a newer step was already used.
        var totp = At(1111111109 + 30, out _);

        var result = totp.Verify(RfcSecret, "081804", lastUsedStep: (1111111109 / 30) + 1);

        Assert.False(result.Valid);
        Assert.Equal(MfaFailureCodes.CodeReplayed, result.Code);
    }

    [Fact]
    public void Verify_NextStepAfterUse_Accepted()
    {
        var totp = At(59, out var time);
        var first = totp.Verify(RfcSecret, "287082", null);
        time.Advance(TimeSpan.FromSeconds(30));
        var nextCode = new OtpNet.Totp(RfcSecret).ComputeTotp(time.GetUtcNow().UtcDateTime);

        var second = totp.Verify(RfcSecret, nextCode, first.MatchedStep);

        Assert.True(second.Valid);
        Assert.Equal(first.MatchedStep + 1, second.MatchedStep);
    }

    [Fact]
    public void Verify_WrongCode_Refused()
    {
        var result = At(59, out _).Verify(RfcSecret, "287083", null);

        Assert.False(result.Valid);
        Assert.Equal(MfaFailureCodes.CodeIncorrect, result.Code);
    }

    [Fact]
    public void Verify_RightCodeOtherSecret_Refused()
    {
        var result = At(59, out _).Verify(Encoding.ASCII.GetBytes("12345678901234567891"), "287082", null);

        Assert.False(result.Valid);
    }

    [Theory]
    [InlineData(" 287082 ")]
    [InlineData("287 082")]
    [InlineData("\t287 082\n")]
    public void Verify_AllowedSpacing_Accepted(string code)
    {
        Assert.True(At(59, out _).Verify(RfcSecret, code, null).Valid);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("28708")]
    [InlineData("2870820")]
    [InlineData("94287082")]
    [InlineData("28708a")]
    [InlineData("28 70 82")]
    [InlineData("2870 82")]
    [InlineData("287  082")]
    [InlineData("287-082")]
    [InlineData("+87082")]
    [InlineData("-87082")]
    [InlineData("２８７０８２")]
    [InlineData("٢٨٧٠٨٢")]
    public void Verify_NotSixDigits_RefusedAsInvalid(string code)
    {
        var result = At(59, out _).Verify(RfcSecret, code, null);

        Assert.False(result.Valid);
        Assert.Equal(MfaFailureCodes.CodeInvalid, result.Code);
    }

    [Fact]
    public void NewSecret_Returns20DistinctRandomBytes()
    {
        var totp = At(0, out _);

        var a = totp.NewSecret();
        var b = totp.NewSecret();

        Assert.Equal(20, a.Length);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void OtpAuthUri_FollowsKeyUriFormatWithPercentEncoding()
    {
        var uri = At(0, out _).OtpAuthUri(RfcSecret, "Bulwark Corp", "alice@example.com");

        Assert.Equal(
            "otpauth://totp/Bulwark%20Corp:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            + "&issuer=Bulwark%20Corp&algorithm=SHA1&digits=6&period=30",
            uri);
    }

    [Fact]
    public void OtpAuthUri_ParameterInjectionInIssuer_IsEncoded()
    {
        var uri = At(0, out _).OtpAuthUri(RfcSecret, "Evil&secret=AAAA#x", "bob/../x?y");
        var query = uri[(uri.IndexOf('?') + 1)..];

        Assert.Single(query.Split('&'), p => p.StartsWith("secret=", StringComparison.Ordinal));
        Assert.DoesNotContain('#', uri);
        Assert.Contains("Evil%26secret%3DAAAA%23x:bob%2F..%2Fx%3Fy?", uri);
    }

    [Theory]
    [InlineData("Bul:wark", "alice")]
    [InlineData("Bulwark", "ali:ce")]
    [InlineData("", "alice")]
    [InlineData("Bulwark", " ")]
    public void OtpAuthUri_ColonOrEmptyLabel_Throws(string issuer, string account)
    {
        Assert.ThrowsAny<ArgumentException>(() => At(0, out _).OtpAuthUri(RfcSecret, issuer, account));
    }
}
