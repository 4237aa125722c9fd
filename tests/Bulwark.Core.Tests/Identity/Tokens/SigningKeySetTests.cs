using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Identity.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Identity.Tokens;

public sealed class SigningKeySetTests
{
    [Fact]
    public void Generate_KeyId_IsTruncatedRfc7638Thumbprint()
    {
        var key = SigningKeyMaterial.Generate(new FakeTimeProvider());
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(key.Pkcs8PrivateKey, out _);
        var q = ecdsa.ExportParameters(false).Q;
        var canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{Base64Url.EncodeToString(q.X)}}","y":"{{Base64Url.EncodeToString(q.Y)}}"}""";

        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)).AsSpan(0, 16)), key.KeyId);
        Assert.Equal(256, ecdsa.KeySize);
    }

    [Fact]
    public void JwksJson_PublishesPublicMembersOnly()
    {
        var time = new FakeTimeProvider();
        var keys = new SigningKeySet([SigningKeyMaterial.Generate(time), SigningKeyMaterial.Generate(time)], TimeSpan.FromMinutes(11), time);

        var json = keys.JwksJson();
        using var document = JsonDocument.Parse(json);

        var published = document.RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(2, published.Count);
        foreach (var jwk in published)
        {
            Assert.Equal(["kty", "crv", "x", "y", "kid", "use", "alg"], jwk.EnumerateObject().Select(p => p.Name));
            Assert.Equal("EC", jwk.GetProperty("kty").GetString());
            Assert.Equal("ES256", jwk.GetProperty("alg").GetString());
        }

        Assert.DoesNotContain("\"d\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void JwksJson_DoesNotContainPrivateScalar()
    {
        var time = new FakeTimeProvider();
        var material = SigningKeyMaterial.Generate(time);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(material.Pkcs8PrivateKey, out _);
        var d = Base64Url.EncodeToString(ecdsa.ExportParameters(true).D);

        Assert.DoesNotContain(d, new SigningKeySet([material], TimeSpan.Zero, time).JwksJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("' OR 1=1 --")]
    [InlineData("https://attacker.example/jwks")]
    [InlineData("")]
    public void TryGetVerificationKey_HostileKid_NotFound(string kid)
    {
        var time = new FakeTimeProvider();
        var keys = new SigningKeySet([SigningKeyMaterial.Generate(time)], TimeSpan.Zero, time);

        Assert.False(keys.TryGetVerificationKey(kid, out _));
    }

    [Fact]
    public void TryGetVerificationKey_KidDiffersOnlyInCase_NotFound()
    {
        var time = new FakeTimeProvider();
        var material = SigningKeyMaterial.Generate(time);
        var keys = new SigningKeySet([material], TimeSpan.Zero, time);

        Assert.True(keys.TryGetVerificationKey(material.KeyId, out _));
        var upper = material.KeyId.ToUpperInvariant();
        var other = string.Equals(upper, material.KeyId, StringComparison.Ordinal) ? material.KeyId.ToLowerInvariant() : upper;
        Assert.False(keys.TryGetVerificationKey(other, out _));
    }

    [Fact]
    public void Constructor_KeyIdNotMatchingKey_Throws()
    {
        var time = new FakeTimeProvider();
        var material = SigningKeyMaterial.Generate(time) with { KeyId = "forged" };

        Assert.Throws<InvalidOperationException>(() => new SigningKeySet([material], TimeSpan.Zero, time));
    }

    [Fact]
    public void Active_IsNewestNonRetiredKey()
    {
        var time = new FakeTimeProvider();
        var older = SigningKeySet_Key(time);
        time.Advance(TimeSpan.FromHours(1));
        var newer = SigningKeySet_Key(time);
        time.Advance(TimeSpan.FromHours(1));
        var newestRetired = SigningKeySet_Key(time) with { RetiredAt = time.GetUtcNow() };

        var keys = new SigningKeySet([older, newestRetired, newer], TimeSpan.FromMinutes(11), time);

        Assert.Equal(newer.KeyId, keys.Active?.KeyId);
        Assert.Equal(3, keys.KeyIds.Count);
    }

    private static SigningKeyMaterial SigningKeySet_Key(TimeProvider time) => SigningKeyMaterial.Generate(time);
}
