using Bulwark.Core.Identity.Tokens;

namespace Bulwark.Core.Tests.Identity.Tokens;

public sealed class AccessTokenRoundTripTests
{
    [Fact]
    public void Validate_IssuedToken_ReturnsAllClaims()
    {
        var kit = new TokenTestKit();
        var authTime = kit.Time.GetUtcNow().AddMinutes(-3);
        var issued = kit.TokenIssuer.Issue(kit.Keys, new AccessTokenClaims("user-42", "web", ["pwd", "otp"], authTime, ["models:read", "predict"], "family-1"));

        var result = kit.Validator().Validate(issued.Token);

        Assert.Null(result.FailureCode);
        var token = Assert.IsType<ValidatedToken>(result.Token);
        Assert.Equal(TokenTestKit.Issuer, token.Issuer);
        Assert.Equal("user-42", token.Subject);
        Assert.Equal(issued.TokenId, token.TokenId);
        Assert.Equal(issued.ExpiresAt, token.ExpiresAt);
        Assert.Equal(kit.Time.GetUtcNow().AddMinutes(10), token.ExpiresAt);
        Assert.Equal(authTime.ToUnixTimeSeconds(), token.AuthTime?.ToUnixTimeSeconds());
        Assert.Equal(["pwd", "otp"], token.Amr);
        Assert.Equal(["models:read", "predict"], token.Scopes);
        Assert.Equal("web", token.ClientId);
        Assert.Equal("family-1", token.SessionId);
        Assert.False(token.IsExternal);
        Assert.Empty(token.Roles);
    }

    [Fact]
    public void Issue_HeaderAndPayload_FollowRfc9068()
    {
        var kit = new TokenTestKit();
        var issued = kit.TokenIssuer.Issue(kit.Keys, new AccessTokenClaims("svc", "batch", ["client_secret"], null, [], null));
        var parts = issued.Token.Split('.');
        using var header = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]));
        using var payload = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));

        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("at+jwt", header.RootElement.GetProperty("typ").GetString());
        Assert.Equal(kit.Key.KeyId, header.RootElement.GetProperty("kid").GetString());
        Assert.Equal(64, System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]).Length);
        var p = payload.RootElement;
        Assert.Equal(TokenTestKit.Issuer, p.GetProperty("iss").GetString());
        Assert.Equal(TokenTestKit.Audience, p.GetProperty("aud").GetString());
        Assert.Equal(kit.Now, p.GetProperty("iat").GetInt64());
        Assert.Equal(kit.Now, p.GetProperty("nbf").GetInt64());
        Assert.Equal(kit.Now + 600, p.GetProperty("exp").GetInt64());
        Assert.Equal(16, System.Buffers.Text.Base64Url.DecodeFromChars(p.GetProperty("jti").GetString()).Length);
        Assert.Equal("client_secret", p.GetProperty("amr")[0].GetString());
        Assert.Equal("batch", p.GetProperty("client_id").GetString());
        Assert.False(p.TryGetProperty("scope", out _));
        Assert.False(p.TryGetProperty("sid", out _));
    }

    [Fact]
    public void Issue_TwoTokens_HaveDistinctIds()
    {
        var kit = new TokenTestKit();

        Assert.NotEqual(kit.TokenIssuer.Issue(kit.Keys, TokenTestKit.UserClaims).TokenId, kit.TokenIssuer.Issue(kit.Keys, TokenTestKit.UserClaims).TokenId);
    }

    [Fact]
    public void Validate_AfterLifetimePlusSkew_Expired()
    {
        var kit = new TokenTestKit();
        var token = kit.Issue();
        var validator = kit.Validator();

        kit.Time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(29));
        Assert.Null(validator.Validate(token).FailureCode);
        kit.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TokenFailureCodes.Expired, validator.Validate(token).FailureCode);
    }

    [Fact]
    public void Validate_PreviousKeyDuringOverlap_Accepted_AndRefusedOnceKeyLeavesSet()
    {
        var kit = new TokenTestKit();
        var oldToken = kit.Issue();
        var validator = kit.Validator();
        kit.Time.Advance(TimeSpan.FromMinutes(1));
        var retiredOld = kit.Key with { RetiredAt = kit.Time.GetUtcNow() };
        var newKey = SigningKeyMaterial.Generate(kit.Time);

        kit.Keys = new SigningKeySet([retiredOld, newKey], kit.Options.KeyOverlap, kit.Time);
        var newToken = kit.Issue();

        Assert.Equal(newKey.KeyId, kit.Keys.Active?.KeyId);
        Assert.Null(validator.Validate(oldToken).FailureCode);
        Assert.Null(validator.Validate(newToken).FailureCode);

        // Overlap shorter than the old token's remaining life: once the key leaves the set, its token is dead.
        kit.Time.Advance(TimeSpan.FromMinutes(2));
        kit.Keys = new SigningKeySet([retiredOld, newKey], TimeSpan.FromMinutes(1), kit.Time);
        Assert.DoesNotContain(retiredOld.KeyId, kit.Keys.KeyIds);
        Assert.Equal(TokenFailureCodes.KeyUnknown, validator.Validate(oldToken).FailureCode);
        Assert.Null(validator.Validate(newToken).FailureCode);
    }

    [Fact]
    public void Issue_AllKeysRetired_Throws()
    {
        var kit = new TokenTestKit();
        kit.Keys = new SigningKeySet([kit.Key with { RetiredAt = kit.Time.GetUtcNow() }], kit.Options.KeyOverlap, kit.Time);

        Assert.Null(kit.Keys.Active);
        Assert.Throws<InvalidOperationException>(() => kit.Issue());
    }

    [Fact]
    public void Constructor_LifetimeOver15Minutes_Throws()
    {
        var options = new TokenOptions { Issuer = TokenTestKit.Issuer, Audience = "a", AccessTokenLifetime = TimeSpan.FromMinutes(16) };

        Assert.ThrowsAny<ArgumentException>(() => new AccessTokenIssuer(options, TimeProvider.System));
    }
}
