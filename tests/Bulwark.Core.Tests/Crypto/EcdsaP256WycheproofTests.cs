using System.Text.Json;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Tests.Crypto;

/// <summary>
/// Project Wycheproof ECDSA P-256 / SHA-256 vectors through <see cref="EcdsaP256"/>. The IEEE P1363 file runs as is
/// through <see cref="EcdsaP256.Verify"/>. The shared vector set has no DER file, so the DER path
/// (<see cref="EcdsaP256.VerifyDer"/>) gets every P1363 vector re-encoded as canonical DER (same verdicts expected) and,
/// for every valid signature, the BER and malformed encodings Wycheproof's DER file is built from, all of which must be
/// rejected: a verifier that accepts two encodings of one signature makes signatures malleable.
/// </summary>
public sealed class EcdsaP256WycheproofTests
{
    [Fact]
    public void Verify_WycheproofP1363_ValidAcceptedInvalidRejected()
    {
        var (valid, invalid, failures) = Run((key, msg, sig) => EcdsaP256.Verify(key, msg, sig), sig => sig);
        Assert.Empty(failures);
        Assert.Equal(173, valid);
        Assert.Equal(89, invalid);
    }

    [Fact]
    public void VerifyDer_WycheproofP1363ReencodedAsDer_ValidAcceptedInvalidRejected()
    {
        var (valid, invalid, failures) = Run((key, msg, sig) => EcdsaP256.VerifyDer(key, msg, sig), ToDer);
        Assert.Empty(failures);
        Assert.Equal(173, valid);
        Assert.True(invalid > 50, $"{invalid} invalid vectors ran");
    }

    [Fact]
    public void VerifyDer_NonCanonicalEncodingsOfValidSignatures_Rejected()
    {
        var accepted = new List<string>();
        var tried = 0;
        foreach (var (key, msg, p1363, id, _) in Vectors().Where(v => v.Valid))
        {
            var der = ToDer(p1363)!;
            Assert.True(EcdsaP256.VerifyDer(key, msg, der), $"tcId {id}: canonical DER rejected");
            foreach (var (name, mutated) in Mutations(p1363))
            {
                tried++;
                if (EcdsaP256.VerifyDer(key, msg, mutated))
                {
                    accepted.Add($"tcId {id}: {name}");
                }
            }
        }

        Assert.Empty(accepted);
        Assert.True(tried > 1000, $"only {tried} mutations tried");
    }

    private static (int Valid, int Invalid, List<string> Failures) Run(Func<byte[], byte[], byte[], bool> verify, Func<byte[], byte[]?> encode)
    {
        int valid = 0, invalid = 0;
        var failures = new List<string>();
        foreach (var (key, msg, sig, id, expected) in Vectors().Select(v => (v.Key, v.Msg, v.Sig, v.Id, v.Valid)))
        {
            var encoded = encode(sig);
            if (encoded is null)
            {
                Assert.False(expected, $"tcId {id}: a valid vector has no DER form");
                continue;
            }

            if (verify(key, msg, encoded) != expected)
            {
                failures.Add($"tcId {id}: expected {(expected ? "accept" : "reject")}");
            }

            _ = expected ? valid++ : invalid++;
        }

        return (valid, invalid, failures);
    }

    private static IEnumerable<(byte[] Key, byte[] Msg, byte[] Sig, int Id, bool Valid)> Vectors()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.TestData("wycheproof", "ecdsa_secp256r1_sha256_p1363_test.json")));
        var list = new List<(byte[], byte[], byte[], int, bool)>();
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            var key = Convert.FromHexString(group.GetProperty("publicKeyDer").GetString()!);
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                var result = test.GetProperty("result").GetString();
                Assert.NotEqual("acceptable", result);
                list.Add((key, Convert.FromHexString(test.GetProperty("msg").GetString()!), Convert.FromHexString(test.GetProperty("sig").GetString()!),
                    test.GetProperty("tcId").GetInt32(), result == "valid"));
            }
        }

        return list;
    }

    /// <summary>Canonical DER of a 64-byte r||s, or null when the P1363 form has the wrong length.</summary>
    private static byte[]? ToDer(byte[] p1363) => p1363.Length == 64 ? Sequence([.. Integer(p1363.AsSpan(0, 32)), .. Integer(p1363.AsSpan(32))]) : null;

    private static byte[] Integer(ReadOnlySpan<byte> unsigned)
    {
        var trimmed = unsigned.TrimStart((byte)0);
        byte[] body = trimmed.IsEmpty ? [0] : trimmed[0] >= 0x80 ? [0, .. trimmed] : trimmed.ToArray();
        return [0x02, (byte)body.Length, .. body];
    }

    private static byte[] Sequence(byte[] content) => [0x30, (byte)content.Length, .. content];

    private static IEnumerable<(string Name, byte[] Signature)> Mutations(byte[] p1363)
    {
        var r = Integer(p1363.AsSpan(0, 32));
        var s = Integer(p1363.AsSpan(32));
        var content = r.Concat(s).ToArray();
        yield return ("sequence length in long form", [0x30, 0x81, (byte)content.Length, .. content]);
        yield return ("sequence length with a leading zero", [0x30, 0x82, 0x00, (byte)content.Length, .. content]);
        yield return ("indefinite sequence length", [0x30, 0x80, .. content, 0x00, 0x00]);
        yield return ("trailing byte after the sequence", [.. Sequence(content), 0x00]);
        yield return ("trailing byte inside the sequence", Sequence([.. content, 0x00]));
        yield return ("third integer", Sequence([.. content, 0x02, 0x01, 0x00]));
        yield return ("set instead of sequence", [0x31, .. Sequence(content)[1..]]);
        yield return ("r as a bit string", Sequence([0x03, .. r[1..], .. s]));
        yield return ("r with a redundant leading zero", Sequence([.. Pad(r), .. s]));
        yield return ("s with a redundant leading zero", Sequence([.. r, .. Pad(s)]));
        yield return ("r length in long form", Sequence([0x02, 0x81, .. r[1..], .. s]));
        yield return ("s length in long form", Sequence([.. r, 0x02, 0x81, .. s[1..]]));
        yield return ("r plus n (integer overflow)", Sequence([.. Integer(AddOrder(p1363.AsSpan(0, 32))), .. s]));
        yield return ("s plus n (integer overflow)", Sequence([.. r, .. Integer(AddOrder(p1363.AsSpan(32)))]));
        if (r[2] == 0x00)
        {
            yield return ("r missing its sign zero (negative)", Sequence([0x02, (byte)(r[1] - 1), .. r[3..], .. s]));
        }

        if (s[2] == 0x00)
        {
            yield return ("s missing its sign zero (negative)", Sequence([.. r, 0x02, (byte)(s[1] - 1), .. s[3..]]));
        }

        if (!r.AsSpan().SequenceEqual(s))
        {
            // Some edge-case vectors have r = s, where swapping changes nothing.
            yield return ("r and s swapped", Sequence([.. s, .. r]));
        }

        yield return ("empty sequence", [0x30, 0x00]);
        yield return ("r only", Sequence(r));
        yield return ("truncated", Sequence(content)[..^1]);
    }

    private static byte[] Pad(byte[] integer) => [0x02, (byte)(integer[1] + 1), 0x00, .. integer[2..]];

    private static byte[] AddOrder(ReadOnlySpan<byte> value)
    {
        var n = new System.Numerics.BigInteger(Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"), isUnsigned: true, isBigEndian: true);
        var sum = new System.Numerics.BigInteger(value, isUnsigned: true, isBigEndian: true) + n;
        return sum.ToByteArray(isUnsigned: true, isBigEndian: true);
    }
}
