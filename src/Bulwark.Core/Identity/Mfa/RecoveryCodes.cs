using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Identity.Mfa;

/// <summary>
/// Single-use recovery codes for a lost second factor. Codes are shown once; only a peppered HMAC-SHA256 of the
/// normalised code is stored, so a database leak alone does not yield usable codes. Deleting a used code's hash
/// (single use) is the caller's job.
/// </summary>
internal sealed class RecoveryCodes
{
    // Upper-case letters and digits without 0/O, 1/I/L: nothing a person can misread when typing from paper.
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    // 31 symbols carry log2(31) ≈ 4.95 bits each, so 2 × 5 symbols would give only 49.5 bits;
    // 2 × 6 gives ≈ 59.5 bits, above the 50-bit floor for a code an attacker may guess online.
    public const int GroupLength = 6;

    private readonly byte[] _pepper;

    public RecoveryCodes(byte[] pepper)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pepper.Length, 16, nameof(pepper));
        _pepper = pepper.ToArray();
    }

    public static double BitsPerCode => 2 * GroupLength * Math.Log2(Alphabet.Length);

    /// <summary>Fresh codes formatted <c>XXXXXX-XXXXXX</c>, distinct within the batch.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static",
        Justification = "Instance API so callers use the one injected RecoveryCodes for generation and hashing.")]
    public IReadOnlyList<string> Generate(int count = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 100);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        while (codes.Count < count)
        {
            // GetString picks each symbol uniformly (no modulo bias).
            var left = RandomNumberGenerator.GetString(Alphabet, GroupLength);
            var right = RandomNumberGenerator.GetString(Alphabet, GroupLength);
            codes.Add($"{left}-{right}");
        }

        return [.. codes];
    }

    /// <summary>Base64 HMAC-SHA256 (keyed with the pepper) of the code without '-' and spaces, upper-cased.</summary>
    public string Hash(string code) => Convert.ToBase64String(ComputeHash(code));

    /// <summary>Constant-time comparison of a stored hash with the hash of a submitted code.</summary>
    public bool Matches(string storedHash, string code)
    {
        Span<byte> stored = stackalloc byte[32];
        if (!Convert.TryFromBase64String(storedHash, stored, out var written) || written != 32)
            return false;
        return CryptographicOperations.FixedTimeEquals(stored, ComputeHash(code));
    }

    private byte[] ComputeHash(string code)
    {
        var normalised = new StringBuilder(code.Length);
        foreach (var c in code)
        {
            if (c is not ('-' or ' '))
                normalised.Append(char.ToUpperInvariant(c));
        }

        return HMACSHA256.HashData(_pepper, Encoding.UTF8.GetBytes(normalised.ToString()));
    }
}
