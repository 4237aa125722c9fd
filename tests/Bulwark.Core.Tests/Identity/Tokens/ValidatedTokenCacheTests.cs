using Bulwark.Core.Identity.Tokens;

namespace Bulwark.Core.Tests.Identity.Tokens;

public sealed class ValidatedTokenCacheTests
{
    [Fact]
    public void Validate_SameTokenTwice_SecondServedFromCache()
    {
        var kit = new TokenTestKit();
        var cache = new ValidatedTokenCache(kit.Time);
        var validator = kit.Validator(cache: cache);
        var token = kit.Issue();

        var first = validator.Validate(token).Token;
        var second = validator.Validate(token).Token;

        Assert.NotNull(first);
        Assert.Same(first, second);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Get_AfterWindowOnFakeClock_ReturnsNull()
    {
        var kit = new TokenTestKit();
        var cache = new ValidatedTokenCache(kit.Time, window: TimeSpan.FromMinutes(1));
        var token = kit.Issue();
        cache.Add(token, kit.Validator().Validate(token).Token!);

        kit.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.NotNull(cache.Get(token));
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cache.Get(token));
    }

    [Fact]
    public void Get_WindowLongerThanToken_ExpiresWithToken()
    {
        var kit = new TokenTestKit();
        var cache = new ValidatedTokenCache(kit.Time, window: TimeSpan.FromHours(1));
        var validator = kit.Validator(cache: cache);
        var token = kit.Issue();
        validator.Validate(token);

        kit.Time.Advance(TimeSpan.FromMinutes(10));

        Assert.Null(cache.Get(token));
        kit.Time.Advance(kit.Options.ClockSkew);
        Assert.Equal(TokenFailureCodes.Expired, validator.Validate(token).FailureCode);
    }

    [Fact]
    public void Validate_Failures_AreNotCached()
    {
        var kit = new TokenTestKit();
        var cache = new ValidatedTokenCache(kit.Time);
        var validator = kit.Validator(cache: cache);
        var parts = kit.Issue().Split('.');

        for (var i = 0; i < 50; i++)
            validator.Validate($"{parts[0]}.{parts[1]}x{i}.{parts[2]}");

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Validate_TokenDifferingFromCachedOne_NotServedFromCache()
    {
        var kit = new TokenTestKit();
        var validator = kit.Validator(cache: new ValidatedTokenCache(kit.Time));
        var token = kit.Issue();
        Assert.NotNull(validator.Validate(token).Token);
        var parts = token.Split('.');
        var otherSignature = parts[2][..^2] + (parts[2][^2] == 'A' ? "B" : "A") + parts[2][^1];

        Assert.Equal(TokenFailureCodes.SignatureInvalid, validator.Validate($"{parts[0]}.{parts[1]}.{otherSignature}").FailureCode);
    }

    [Fact]
    public void Add_BeyondCapacity_StaysBounded()
    {
        var kit = new TokenTestKit();
        var cache = new ValidatedTokenCache(kit.Time, capacity: 10);
        var token = kit.Issue();
        var validated = kit.Validator().Validate(token).Token!;

        for (var i = 0; i < 1000; i++)
            cache.Add(token + i, validated);

        Assert.InRange(cache.Count, 1, 10);
    }
}
