using System.Net;
using System.Security.Cryptography;
using Bulwark.Core.Identity.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Identity.Tokens;

public sealed class HttpsJwksSourceTests
{
    private static readonly Uri JwksUri = new("https://idp.example/jwks");

    private sealed class FakeHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            var response = respond(request);
            response.RequestMessage ??= request;
            return Task.FromResult(response);
        }
    }

    private static string Jwks(string kid)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return $$"""{"keys":[{{TokenTestKit.EcJwk(ec, kid)}},{"kty":"oct","kid":"oct","k":"AAAA"}]}""";
    }

    private static HttpResponseMessage Ok(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body) };

    [Theory]
    [InlineData("http://idp.example/jwks")]
    [InlineData("ftp://idp.example/jwks")]
    public void Constructor_NotHttps_Throws(string url)
    {
        using var client = new HttpClient(new FakeHandler(_ => Ok(Jwks("k"))));

        Assert.Throws<ArgumentException>(() => new HttpsJwksSource(new Uri(url), client, new FakeTimeProvider()));
    }

    [Fact]
    public async Task RefreshAsync_ValidJwks_LoadsAsymmetricKeysOnly()
    {
        using var client = new HttpClient(new FakeHandler(_ => Ok(Jwks("k1"))));
        var source = new HttpsJwksSource(JwksUri, client, new FakeTimeProvider());

        Assert.True(await source.RefreshAsync());
        Assert.True(source.TryGetKey("k1", out _));
        Assert.False(source.TryGetKey("oct", out _));
    }

    [Fact]
    public async Task RefreshAsync_RedirectResponse_Refused()
    {
        using var client = new HttpClient(new FakeHandler(_ =>
            new HttpResponseMessage(HttpStatusCode.Found) { Headers = { Location = new Uri("https://attacker.example/jwks") } }));
        var source = new HttpsJwksSource(JwksUri, client, new FakeTimeProvider());

        Assert.False(await source.RefreshAsync());
        Assert.Contains("redirect", source.LastFailure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshAsync_ClientFollowedRedirect_Refused()
    {
        using var client = new HttpClient(new FakeHandler(_ =>
        {
            var response = Ok(Jwks("attacker"));
            response.RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://attacker.example/jwks");
            return response;
        }));
        var source = new HttpsJwksSource(JwksUri, client, new FakeTimeProvider());

        Assert.False(await source.RefreshAsync());
        Assert.False(source.TryGetKey("attacker", out _));
    }

    [Fact]
    public async Task RefreshAsync_OversizedBody_Refused()
    {
        var huge = Jwks("k1").Replace("]}", "]," + "\"pad\":\"" + new string('a', 70 * 1024) + "\"}", StringComparison.Ordinal);
        using var client = new HttpClient(new FakeHandler(_ => Ok(huge)));
        var source = new HttpsJwksSource(JwksUri, client, new FakeTimeProvider());

        Assert.False(await source.RefreshAsync());
        Assert.False(source.TryGetKey("k1", out _));
    }

    [Fact]
    public async Task RefreshAsync_FailureAfterSuccess_KeepsLastGoodKeys()
    {
        var healthy = true;
        using var client = new HttpClient(new FakeHandler(_ => healthy ? Ok(Jwks("k1")) : new HttpResponseMessage(HttpStatusCode.BadGateway)));
        var source = new HttpsJwksSource(JwksUri, client, new FakeTimeProvider());
        Assert.True(await source.RefreshAsync());

        healthy = false;

        Assert.False(await source.RefreshAsync());
        Assert.True(source.TryGetKey("k1", out _));
    }

    [Fact]
    public async Task TryGetKey_WithinRefreshInterval_DoesNotFetchAgain()
    {
        var handler = new FakeHandler(_ => Ok(Jwks("k1")));
        using var client = new HttpClient(handler);
        var source = new HttpsJwksSource(JwksUri, client, new FakeTimeProvider());
        await source.RefreshAsync();

        for (var i = 0; i < 100; i++)
            source.TryGetKey("k1", out _);

        Assert.Equal(1, handler.Requests);
    }
}
