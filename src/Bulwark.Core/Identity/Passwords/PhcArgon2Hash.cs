using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// A parsed PHC string <c>$argon2id$v=19$m=19456,t=2,p=1$salt$hash</c> (PHC string format;
/// RFC 9106 for Argon2 version 0x13 = 19). Parsing is strict and refuses parameters that would
/// let a tampered database row make one verification cost seconds or gigabytes.
/// </summary>
internal sealed record PhcArgon2Hash(int MemoryKiB, int Iterations, int Parallelism, byte[] Salt, byte[] Hash)
{
    public const int Version = 19;
    public const int SaltBytes = 16;
    public const int HashBytes = 32;

    /// <summary>Ceilings for stored parameters: 1 GiB of memory, 20 passes.</summary>
    public const int MaxMemoryKiB = 1024 * 1024;
    public const int MaxIterations = 20;

    // libsodium's floor: 8 KiB of memory, one pass.
    private const int MinMemoryKiB = 8;

    public static bool TryParse(string? text, [NotNullWhen(true)] out PhcArgon2Hash? result)
    {
        result = null;
        if (text is null || text.Length > 512)
        {
            return false;
        }

        var parts = text.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0
            || !string.Equals(parts[1], "argon2id", StringComparison.Ordinal)
            || !string.Equals(parts[2], "v=19", StringComparison.Ordinal))
        {
            return false;
        }

        var parameters = parts[3].Split(',');
        if (parameters.Length != 3
            || !TryParameter(parameters[0], "m=", out var memory)
            || !TryParameter(parameters[1], "t=", out var iterations)
            || !TryParameter(parameters[2], "p=", out var parallelism)
            || memory is < MinMemoryKiB or > MaxMemoryKiB
            || iterations is < 1 or > MaxIterations
            || parallelism != 1)
        {
            return false;
        }

        if (!TryDecode(parts[4], out var salt) || salt.Length != SaltBytes
            || !TryDecode(parts[5], out var hash) || hash.Length is < 16 or > 64)
        {
            return false;
        }

        result = new PhcArgon2Hash(memory, iterations, parallelism, salt, hash);
        return true;
    }

    public string Format() => string.Create(
        CultureInfo.InvariantCulture,
        $"$argon2id$v={Version}$m={MemoryKiB},t={Iterations},p={Parallelism}${Encode(Salt)}${Encode(Hash)}");

    private static bool TryParameter(string text, string prefix, out int value)
    {
        value = 0;
        // Digits only, no sign, no leading zero, at most 10 digits: one canonical spelling per value.
        var digits = text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : string.Empty;
        return digits.Length is > 0 and <= 10
            && (digits.Length == 1 || digits[0] != '0')
            && digits.All(char.IsAsciiDigit)
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    // PHC strings use standard Base64 without padding.
    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length % 4 == 1 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
        {
            return false;
        }

        var padded = text + new string('=', (4 - (text.Length % 4)) % 4);
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        // Reject non-canonical encodings (stray low bits), so one hash has exactly one spelling.
        return string.Equals(Encode(bytes), text, StringComparison.Ordinal);
    }
}
