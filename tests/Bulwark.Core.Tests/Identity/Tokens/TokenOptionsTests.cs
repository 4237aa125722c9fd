using Bulwark.Core.Identity.Tokens;

namespace Bulwark.Core.Tests.Identity.Tokens;

public sealed class TokenOptionsTests
{
    private static TokenOptions Valid() => new() { Issuer = "https://bulwark.test", Audience = "api" };

    private static ExternalIssuerOptions External() => new()
    {
        Issuer = "https://idp.example",
        Audience = "api",
        JwksUrl = "https://idp.example/jwks",
        SubjectPrefix = "corp",
    };

    [Fact]
    public void Validate_Defaults_NoErrors()
    {
        var options = Valid();
        options.ExternalIssuers.Add(External());

        Assert.Empty(options.Validate());
        Assert.Equal(["RS256", "ES256"], options.ExternalIssuers[0].EffectiveAlgorithms);
    }

    [Theory]
    [InlineData("http://bulwark.test")]
    [InlineData("bulwark")]
    [InlineData("")]
    public void Validate_IssuerNotHttps_Error(string issuer)
    {
        var options = Valid();
        options.Issuer = issuer;

        Assert.NotEmpty(options.Validate());
    }

    [Fact]
    public void Validate_LifetimeOver15Minutes_Error()
    {
        var options = Valid();
        options.AccessTokenLifetime = TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1);

        Assert.Single(options.Validate());
    }

    [Fact]
    public void Validate_SkewOver60Seconds_Error()
    {
        var options = Valid();
        options.ClockSkew = TimeSpan.FromSeconds(61);

        Assert.Single(options.Validate());
    }

    [Theory]
    [InlineData("HS256")]
    [InlineData("none")]
    [InlineData("rs256")]
    public void Validate_SymmetricOrUnknownExternalAlgorithm_Error(string alg)
    {
        var options = Valid();
        var external = External();
        external.Algorithms.Add(alg);
        options.ExternalIssuers.Add(external);

        Assert.Single(options.Validate());
    }

    [Theory]
    [InlineData("")]
    [InlineData("corp:admin")]
    [InlineData("Corp")]
    public void Validate_BadSubjectPrefix_Error(string prefix)
    {
        var options = Valid();
        var external = External();
        external.SubjectPrefix = prefix;
        options.ExternalIssuers.Add(external);

        Assert.Single(options.Validate());
    }

    [Fact]
    public void Validate_HttpJwksUrlOrBothSources_Error()
    {
        var options = Valid();
        var http = External();
        http.JwksUrl = "http://idp.example/jwks";
        var both = External();
        both.Issuer = "https://other.example";
        both.SubjectPrefix = "other";
        both.JwksFile = "/etc/jwks.json";
        options.ExternalIssuers.AddRange([http, both]);

        Assert.Equal(2, options.Validate().Count);
    }

    [Fact]
    public void Validate_ExternalIssuerEqualsOwn_Error()
    {
        var options = Valid();
        var external = External();
        external.Issuer = options.Issuer;
        options.ExternalIssuers.Add(external);

        Assert.Single(options.Validate());
    }
}
