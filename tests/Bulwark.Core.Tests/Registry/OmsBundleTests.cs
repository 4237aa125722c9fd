using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Core.Crypto;
using Bulwark.Core.Registry;

namespace Bulwark.Core.Tests.Registry;

public sealed class OmsBundleTests
{
    // Public test data of sigstore/model-transparency (scripts/tests, v1.1.0-elliptic-key and the P-384 key its v1.0.0
    // bundle embeds): a bundle the reference tool wrote, used as a known answer for the format, the key hint, the PAE
    // and the DER signature encoding.
    private const string ReferenceKeyPem = """
        -----BEGIN PUBLIC KEY-----
        MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEsu6rZGBTjxtvRWPMixT+3HyndV0J0Ybt
        aHZUcO4DEK+OJHO/4e32bb/fbJKSpRgcBsIpKLcVijUomyFOERbd7u+BTPSUjGZD
        Qq6J7lTvp/EAXQGOKxW9RP0MGX3qAkvi
        -----END PUBLIC KEY-----
        """;

    private const string ReferenceBundle = """{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e"},"tlogEntries":[]},"dsseEnvelope":{"payload":"ewogICJfdHlwZSI6ICJodHRwczovL2luLXRvdG8uaW8vU3RhdGVtZW50L3YxIiwKICAic3ViamVjdCI6IFsKICAgIHsKICAgICAgIm5hbWUiOiAidjEuMS4wLWVsbGlwdGljLWtleSIsCiAgICAgICJkaWdlc3QiOiB7CiAgICAgICAgInNoYTI1NiI6ICI5Mjc0NTExMGIxYWI0MzY4NDcxY2JlMzE2NjRlMTAxNzRlOTU0YjExM2EzZGYzMzNkYjg2MDMxN2IyYzZkZWM0IgogICAgICB9CiAgICB9CiAgXSwKICAicHJlZGljYXRlVHlwZSI6ICJodHRwczovL21vZGVsX3NpZ25pbmcvc2lnbmF0dXJlL3YxLjAiLAogICJwcmVkaWNhdGUiOiB7CiAgICAicmVzb3VyY2VzIjogWwogICAgICB7CiAgICAgICAgImFsZ29yaXRobSI6ICJzaGEyNTYiLAogICAgICAgICJuYW1lIjogInNpZ25tZS0xIiwKICAgICAgICAiZGlnZXN0IjogImJjOWE3MTdkYjYwNjRhMzJjYmU5ZWFlNmZjNDA2NTFkZDZkMzZlZjE3NTcxODNmNTkwZWZmMmIxNzY1ZDdlYmMiCiAgICAgIH0sCiAgICAgIHsKICAgICAgICAiYWxnb3JpdGhtIjogInNoYTI1NiIsCiAgICAgICAgIm5hbWUiOiAic2lnbm1lLTIiLAogICAgICAgICJkaWdlc3QiOiAiMzJkY2IxZjhlMWFlNTJkNTk2M2U1NmE2YmEwNmFiNThiNDI0YzE1ZWQyYTZiNzBkMmZlY2ExZDA4OTM3MDAyOCIKICAgICAgfQogICAgXSwKICAgICJzZXJpYWxpemF0aW9uIjogewogICAgICAiYWxsb3dfc3ltbGlua3MiOiBmYWxzZSwKICAgICAgIm1ldGhvZCI6ICJmaWxlcyIsCiAgICAgICJoYXNoX3R5cGUiOiAic2hhMjU2IiwKICAgICAgImlnbm9yZV9wYXRocyI6IFsKICAgICAgICAiLmdpdCIsCiAgICAgICAgIm1vZGVsLnNpZyIsCiAgICAgICAgImlnbm9yZS1tZSIsCiAgICAgICAgIi5naXRhdHRyaWJ1dGVzIiwKICAgICAgICAiLmdpdGlnbm9yZSIsCiAgICAgICAgIi5naXRodWIiCiAgICAgIF0KICAgIH0KICB9Cn0=","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"MGUCMQCVqSw64cBnPHqbyadq+OIgwQSg7WW8Mztp3dJ++atQsxzbtwafJJ164u7WEXmx5hECMBSiShuN7OTLec6wLXpHUjFIQA/hhiBCjSzM9Q2cIUZpDmv+tWs1AkNxstJDbNl0lQ==","keyid":""}]}}""";

    [Fact]
    public void ReferenceBundle_ParsesAndItsSignatureVerifiesOverOurPae()
    {
        Assert.True(OmsBundle.TryParse(ReferenceBundle, out var bundle, out var error), error);
        using var key = ECDsa.Create();
        key.ImportFromPem(ReferenceKeyPem);

        Assert.Equal(OmsBundle.HintOf(key.ExportSubjectPublicKeyInfo()), bundle.PublicKeyHint);
        Assert.True(bundle.Names(key.ExportSubjectPublicKeyInfo()));
        Assert.True(key.VerifyData(Dsse.Pae(bundle.Envelope.PayloadType, bundle.Envelope.Payload), bundle.Envelope.Signatures[0].Sig,
            HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence));
        Assert.True(OmsStatement.TryParse(bundle.Envelope.Payload, out var statement, out error), error);
        Assert.Equal(["signme-1", "signme-2"], statement.Resources.Select(r => r.Name));
        Assert.Equal("92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4", statement.RootDigest);
        Assert.Equal(ModelManifest.OmsRootDigest(statement.Resources), statement.RootDigest);
        Assert.Contains("model.sig", statement.IgnorePaths);
    }

    [Fact]
    public void ReferenceBundle_P384Key_IsNotATrustedSignerKey()
    {
        Assert.False(SignerKey.TryRead(ReferenceKeyPem, out _, out var error));
        Assert.Contains("P-256", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_ThenParse_RoundTripsEnvelopeAndHint()
    {
        using var key = OmsTestSigner.NewKey();
        var statement = OmsTestSigner.Statement([("model.onnx", [1, 2, 3])]);

        var json = OmsTestSigner.Bundle(key, statement);

        Assert.True(OmsBundle.TryParse(json, out var bundle, out var error), error);
        Assert.Equal(statement, bundle.Envelope.Payload);
        Assert.Equal(Dsse.InTotoPayloadType, bundle.Envelope.PayloadType);
        Assert.True(bundle.Names(key.ExportSubjectPublicKeyInfo()));
        Assert.Equal(OmsBundle.MediaType, JsonNode.Parse(json)!["mediaType"]!.GetValue<string>());
    }

    [Fact]
    public void Names_BulwarkKeyIdAsHint_Accepted()
    {
        using var key = OmsTestSigner.NewKey();
        var tree = OmsTestSigner.Tree(OmsTestSigner.Bundle(key, OmsTestSigner.Statement([("a", [1])])));
        tree["verificationMaterial"]!["publicKey"]!["hint"] = EcdsaP256.KeyIdOf(key.ExportSubjectPublicKeyInfo());

        Assert.True(OmsBundle.TryParse(OmsTestSigner.Bytes(tree), out var bundle, out _));
        Assert.True(bundle.Names(key.ExportSubjectPublicKeyInfo()));
        using var other = OmsTestSigner.NewKey();
        Assert.False(bundle.Names(other.ExportSubjectPublicKeyInfo()));
    }

    public static TheoryData<string, string> Mutations => new()
    {
        { "media type v0.2", """{"mediaType":"application/vnd.dev.sigstore.bundle.v0.2+json"}""" },
        { "media type json", """{"mediaType":"application/json"}""" },
        { "media type number", """{"mediaType":3}""" },
        { "unknown top-level member", """{"messageSignature":{}}""" },
        { "certificate material", """{"verificationMaterial":{"publicKey":{"hint":"HINT"},"certificate":{"rawBytes":"AA=="}}}""" },
        { "legacy rawBytes key", """{"verificationMaterial":{"publicKey":{"rawBytes":"AA==","keyDetails":"PKIX_ECDSA_P256_SHA_256"}}}""" },
        { "transparency log entry", """{"verificationMaterial":{"publicKey":{"hint":"HINT"},"tlogEntries":[{"logIndex":"1"}]}}""" },
        { "hint uppercase", """{"verificationMaterial":{"publicKey":{"hint":"UPPER"},"tlogEntries":[]}}""" },
        { "hint short", """{"verificationMaterial":{"publicKey":{"hint":"abc"},"tlogEntries":[]}}""" },
        { "no signature", """{"dsseEnvelope":{"signatures":[]}}""" },
        { "two signatures", """{"dsseEnvelope":{"signatures":[{"sig":"AAAA"},{"sig":"AAAA"}]}}""" },
        { "signature not base64", """{"dsseEnvelope":{"signatures":[{"sig":"!!"}]}}""" },
        { "payload not base64", """{"dsseEnvelope":{"payload":"%%%"}}""" },
        { "payload type missing", """{"dsseEnvelope":{"payloadType":null}}""" },
        { "extra envelope member", """{"dsseEnvelope":{"extra":1}}""" },
        { "keyid number", """{"dsseEnvelope":{"signatures":[{"sig":"AAAA","keyid":5}]}}""" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void TryParse_Mutated_FailsWithAReason(string what, string patch)
    {
        using var key = OmsTestSigner.NewKey();
        var tree = OmsTestSigner.Tree(OmsTestSigner.Bundle(key, OmsTestSigner.Statement([("a", [1])])));
        Merge(tree, JsonNode.Parse(patch.Replace("HINT", OmsBundle.HintOf(key.ExportSubjectPublicKeyInfo()), StringComparison.Ordinal)
            .Replace("UPPER", OmsBundle.HintOf(key.ExportSubjectPublicKeyInfo()).ToUpperInvariant(), StringComparison.Ordinal))!.AsObject());

        Assert.False(OmsBundle.TryParse(OmsTestSigner.Bytes(tree), out _, out var error), what);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("dsseEnvelope")]
    [InlineData("verificationMaterial")]
    [InlineData("mediaType")]
    public void TryParse_MissingMember_NamesIt(string member)
    {
        using var key = OmsTestSigner.NewKey();
        var tree = OmsTestSigner.Tree(OmsTestSigner.Bundle(key, OmsTestSigner.Statement([("a", [1])])));
        tree.Remove(member);

        Assert.False(OmsBundle.TryParse(OmsTestSigner.Bytes(tree), out _, out var error));
        Assert.Contains(member, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_EveryTruncation_Fails()
    {
        using var key = OmsTestSigner.NewKey();
        var json = OmsTestSigner.Bundle(key, OmsTestSigner.Statement([("a", [1])]));
        var whole = Encoding.UTF8.GetString(json).TrimEnd();

        for (var length = 0; length < whole.Length; length++)
        {
            Assert.False(OmsBundle.TryParse(Encoding.UTF8.GetBytes(whole[..length]), out _, out _), $"accepted a bundle cut at {length} of {whole.Length}");
        }

        Assert.True(OmsBundle.TryParse(Encoding.UTF8.GetBytes(whole), out _, out _));
    }

    [Fact]
    public void TryParse_DuplicateMember_Fails()
    {
        using var key = OmsTestSigner.NewKey();
        var json = Encoding.UTF8.GetString(OmsTestSigner.Bundle(key, OmsTestSigner.Statement([("a", [1])])));
        var duplicated = json.Replace("\"mediaType\"", "\"mediaType\": \"x\", \"mediaType\"", StringComparison.Ordinal);

        Assert.False(OmsBundle.TryParse(duplicated, out _, out _));
    }

    [Fact]
    public void TryParse_InvalidUtf8OrOversized_Fails()
    {
        Assert.False(OmsBundle.TryParse([0x7b, 0xff, 0xfe, 0x7d], out _, out _));
        Assert.False(OmsBundle.TryParse(new byte[OmsBundle.MaxBytes + 1], out _, out var error));
        Assert.Contains("larger", error, StringComparison.Ordinal);
        Assert.False(OmsBundle.TryParse([], out _, out _));
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            if (value is JsonObject inner && target[name] is JsonObject existing)
            {
                Merge(existing, inner);
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }
}
