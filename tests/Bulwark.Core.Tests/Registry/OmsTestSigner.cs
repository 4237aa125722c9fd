using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Core.Crypto;
using Bulwark.Core.Registry;

namespace Bulwark.Core.Tests.Registry;

/// <summary>Makes OMS v1.0 bundles the way a signer outside Bulwark would, including malformed and hostile ones.</summary>
internal static class OmsTestSigner
{
    public static ECDsa NewKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static string Pem(ECDsa key) => PemEncoding.WriteString("PUBLIC KEY", key.ExportSubjectPublicKeyInfo()) + "\n";

    /// <summary>A plain OMS statement (no Bulwark predicate) over name → bytes, as the reference tool writes it.</summary>
    public static byte[] Statement(IEnumerable<(string Name, byte[] Bytes)> files, string subject = "model", bool allowSymlinks = false, string method = "files")
    {
        var resources = files.Select(f => new ManifestResource(f.Name, ModelManifest.Sha256Hex(f.Bytes))).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        return Statement(resources, ModelManifest.RootDigest(resources), subject, allowSymlinks, method);
    }

    public static byte[] Statement(IReadOnlyList<ManifestResource> resources, string rootDigest, string subject = "model", bool allowSymlinks = false, string method = "files")
    {
        var statement = new JsonObject
        {
            ["_type"] = ModelManifest.StatementType,
            ["subject"] = new JsonArray(new JsonObject { ["name"] = subject, ["digest"] = new JsonObject { ["sha256"] = rootDigest } }),
            ["predicateType"] = ModelManifest.PredicateType,
            ["predicate"] = new JsonObject
            {
                ["resources"] = new JsonArray([.. resources.Select(r => (JsonNode)new JsonObject { ["algorithm"] = "sha256", ["name"] = r.Name, ["digest"] = r.Sha256 })]),
                ["serialization"] = new JsonObject
                {
                    ["allow_symlinks"] = allowSymlinks,
                    ["method"] = method,
                    ["hash_type"] = "sha256",
                    ["ignore_paths"] = new JsonArray("model.sig", ".git"),
                },
            },
        };
        return Encoding.UTF8.GetBytes(statement.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Signs <paramref name="statement"/> with <paramref name="key"/>; the hint names <paramref name="hintKey"/> (default: the signing key).</summary>
    public static byte[] Bundle(ECDsa key, byte[] statement, ECDsa? hintKey = null, bool der = true)
    {
        var format = der ? DSASignatureFormat.Rfc3279DerSequence : DSASignatureFormat.IeeeP1363FixedFieldConcatenation;
        var sig = key.SignData(Dsse.Pae(Dsse.InTotoPayloadType, statement), HashAlgorithmName.SHA256, format);
        var envelope = new DsseEnvelope(Dsse.InTotoPayloadType, statement, [("", sig)]);
        return Encoding.UTF8.GetBytes(OmsBundle.Serialize(envelope, (hintKey ?? key).ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The bundle as a JSON tree, to mutate in attack tests.</summary>
    public static JsonObject Tree(byte[] bundle) => JsonNode.Parse(bundle)!.AsObject();

    public static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
