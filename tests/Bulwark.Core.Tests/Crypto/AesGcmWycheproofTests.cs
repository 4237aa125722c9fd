using System.Security.Cryptography;
using System.Text.Json;

namespace Bulwark.Core.Tests.Crypto;

/// <summary>
/// Project Wycheproof AES-GCM vectors against the primitive the envelope uses: every valid vector decrypts to the
/// message, every invalid one is rejected, and nonce sizes other than 96 bits are refused outright.
/// </summary>
public sealed class AesGcmWycheproofTests
{
    [Fact]
    public void AesGcm_WycheproofVectors_AcceptValidRejectInvalid()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(RepositoryPaths.TestData("wycheproof", "aes_gcm_test.json")));
        int valid = 0, invalid = 0, refusedGroups = 0;
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            var ivBits = group.GetProperty("ivSize").GetInt32();
            var tagBits = group.GetProperty("tagSize").GetInt32();
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                var key = Convert.FromHexString(test.GetProperty("key").GetString()!);
                var iv = Convert.FromHexString(test.GetProperty("iv").GetString()!);
                var aad = Convert.FromHexString(test.GetProperty("aad").GetString()!);
                var msg = Convert.FromHexString(test.GetProperty("msg").GetString()!);
                var ct = Convert.FromHexString(test.GetProperty("ct").GetString()!);
                var tag = Convert.FromHexString(test.GetProperty("tag").GetString()!);
                var result = test.GetProperty("result").GetString();

                using var aes = new AesGcm(key, tagBits / 8);
                var plaintext = new byte[ct.Length];
                if (ivBits != 96)
                {
                    // .NET supports only 96-bit nonces; the envelope never uses anything else.
                    Assert.ThrowsAny<ArgumentException>(() => aes.Decrypt(iv, ct, tag, plaintext, aad));
                    refusedGroups++;
                    continue;
                }

                if (result == "valid")
                {
                    aes.Decrypt(iv, ct, tag, plaintext, aad);
                    Assert.Equal(msg, plaintext);
                    valid++;
                }
                else if (result == "invalid")
                {
                    Assert.ThrowsAny<CryptographicException>(() => aes.Decrypt(iv, ct, tag, plaintext, aad));
                    invalid++;
                }
            }
        }

        Assert.True(valid > 50, $"only {valid} valid vectors ran");
        Assert.True(invalid > 10, $"only {invalid} invalid vectors ran");
        Assert.True(refusedGroups > 0);
    }
}
