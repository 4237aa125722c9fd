using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Tests.Crypto;

/// <summary>
/// Project Wycheproof AES-GCM vectors through <see cref="Aead"/>. Vectors with its parameters (256-bit key, 96-bit
/// nonce, 128-bit tag): every valid one seals to exactly the expected ciphertext and tag and opens to the message,
/// every invalid one is rejected. Vectors with other parameters are refused by the wrapper. The file has no
/// "acceptable" results; one would be treated as invalid (rejected), the strict reading.
/// </summary>
public sealed class AeadWycheproofTests
{
    [Fact]
    public void Aead_WycheproofAesGcm_ValidExactInvalidRejectedOthersRefused()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.TestData("wycheproof", "aes_gcm_test.json")));
        int valid = 0, invalid = 0, refused = 0, total = 0;
        var failures = new List<string>();
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            var supported = group.GetProperty("keySize").GetInt32() == 256 && group.GetProperty("ivSize").GetInt32() == 96 && group.GetProperty("tagSize").GetInt32() == 128;
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                total++;
                var id = test.GetProperty("tcId").GetInt32();
                var key = Hex(test, "key");
                var iv = Hex(test, "iv");
                var aad = Hex(test, "aad");
                var msg = Hex(test, "msg");
                var ct = Hex(test, "ct");
                var tag = Hex(test, "tag");
                var result = test.GetProperty("result").GetString();
                var plaintext = new byte[ct.Length];

                if (!supported)
                {
                    Assert.Throws<ArgumentException>(() => Aead.Open(key, iv, ct, tag, plaintext, aad));
                    Assert.Throws<ArgumentException>(() => Aead.Seal(key, iv, msg, new byte[msg.Length], new byte[tag.Length], aad));
                    refused++;
                    continue;
                }

                if (result == "valid")
                {
                    var sealedCt = new byte[msg.Length];
                    var sealedTag = new byte[16];
                    Aead.Seal(key, iv, msg, sealedCt, sealedTag, aad);
                    Aead.Open(key, iv, ct, tag, plaintext, aad);
                    if (!sealedCt.SequenceEqual(ct) || !sealedTag.SequenceEqual(tag) || !plaintext.SequenceEqual(msg))
                    {
                        failures.Add($"tcId {id}: valid vector not reproduced");
                    }

                    valid++;
                }
                else
                {
                    try
                    {
                        Aead.Open(key, iv, ct, tag, plaintext, aad);
                        failures.Add($"tcId {id}: {result} vector accepted");
                    }
                    catch (CryptographicException)
                    {
                        Assert.All(plaintext, b => Assert.Equal(0, b));
                    }

                    invalid++;
                }
            }
        }

        Assert.Empty(failures);
        Assert.Equal(total, valid + invalid + refused);
        Assert.Equal(39, valid);
        Assert.Equal(27, invalid);
        Assert.Equal(250, refused);
    }

    [Theory]
    [InlineData(16, 12, 16)]
    [InlineData(24, 12, 16)]
    [InlineData(31, 12, 16)]
    [InlineData(32, 8, 16)]
    [InlineData(32, 16, 16)]
    [InlineData(32, 12, 12)]
    [InlineData(32, 12, 8)]
    public void Aead_OtherSizes_Refused(int keySize, int nonceSize, int tagSize)
    {
        var key = new byte[keySize];
        var nonce = new byte[nonceSize];
        var tag = new byte[tagSize];
        Assert.Throws<ArgumentException>(() => Aead.Seal(key, nonce, "x"u8, new byte[1], tag, default));
        Assert.Throws<ArgumentException>(() => Aead.Open(key, nonce, new byte[1], tag, new byte[1], default));
    }

    [Fact]
    public void Aead_MismatchedBufferLength_Refused()
    {
        var key = new byte[32];
        var nonce = new byte[12];
        Assert.Throws<ArgumentException>(() => Aead.Seal(key, nonce, "abc"u8, new byte[2], new byte[16], default));
        Assert.Throws<ArgumentException>(() => Aead.Open(key, nonce, new byte[3], new byte[16], new byte[4], default));
    }

    private static byte[] Hex(JsonElement test, string name) => Convert.FromHexString(test.GetProperty(name).GetString()!);
}
