using System.Text.Json;
using Bulwark.Core.Registry;

namespace Bulwark.Core.Tests.Registry;

/// <summary>
/// Project Wycheproof ECDSA P-256 / SHA-256 vectors (IEEE P1363 encoding) through the verify wrapper manifests use:
/// every valid signature accepted, every invalid one (malleated, out-of-range r/s, wrong length, …) rejected.
/// </summary>
public sealed class EcdsaWycheproofTests
{
    [Fact]
    public void VerifyP256_WycheproofVectors_AcceptValidRejectInvalid()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.TestData("wycheproof", "ecdsa_secp256r1_sha256_p1363_test.json")));
        int valid = 0, invalid = 0;
        var failures = new List<string>();
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            var key = Convert.FromHexString(group.GetProperty("publicKeyDer").GetString()!);
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                var msg = Convert.FromHexString(test.GetProperty("msg").GetString()!);
                var sig = Convert.FromHexString(test.GetProperty("sig").GetString()!);
                var expected = test.GetProperty("result").GetString() == "valid";
                var actual = ManifestVerifier.VerifyP256(key, msg, sig);
                if (actual != expected)
                {
                    failures.Add($"tcId {test.GetProperty("tcId").GetInt32()}: expected {expected}");
                }

                if (expected)
                {
                    valid++;
                }
                else
                {
                    invalid++;
                }
            }
        }

        Assert.Empty(failures);
        Assert.True(valid > 100 && invalid > 50, $"{valid} valid, {invalid} invalid vectors ran");
    }

    [Fact]
    public void VerifyP256_KeyOnAnotherCurve_Rejected()
    {
        using var p384 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
        var data = "manifest"u8.ToArray();
        var sig = p384.SignData(data, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        Assert.False(ManifestVerifier.VerifyP256(p384.ExportSubjectPublicKeyInfo(), data, sig));
        Assert.False(ManifestVerifier.VerifyP256(p384.ExportSubjectPublicKeyInfo(), data, sig.AsSpan(0, 64)));
    }
}
