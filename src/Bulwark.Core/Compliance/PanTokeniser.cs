using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Compliance;

/// <summary>
/// Replaces a PAN by <c>tok_</c> + 128 bits of HMAC-SHA256 (base32, lowercase: no run of decimal digits long enough to
/// look like a card again) under a per-project subkey of the master key (HKDF info
/// "bulwark/pan-token/&lt;project&gt;"). Equal PANs get equal tokens within a project, so a tokenised column still joins
/// and counts; without the key a token cannot be reversed, not even by trying every PAN of a BIN range (an unkeyed hash
/// could: a BIN range holds only ~10⁹ Luhn-valid numbers). Per project, so two tenants' tokens never correlate.
/// </summary>
/// <remarks>
/// Subkeys derive from the key ring's derivation root, which master-key rotation keeps: a card tokenised before and
/// after a rotation gets the same token.
/// </remarks>
internal sealed class PanTokeniser(KeyRing keyRing) : IDisposable
{
    public const string Prefix = "tok_";

    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    /// <param name="digits">The PAN's digits only, without separators, so "4111 1111…" and "4111-1111…" agree.</param>
    public string Tokenise(string projectId, string digits)
    {
        var key = _keys.GetOrAdd(projectId, p => keyRing.DeriveKey("pan-token/" + p));
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(digits), mac);
        return Prefix + Base32(mac[..16]);
    }

    /// <summary>RFC 4648 §6 base32, lowercase, without padding.</summary>
    private static string Base32(ReadOnlySpan<byte> data)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var result = new StringBuilder(((data.Length * 8) + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                result.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            result.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return result.ToString();
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
