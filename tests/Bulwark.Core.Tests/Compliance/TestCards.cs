using System.Security.Cryptography;

namespace Bulwark.Core.Tests.Compliance;

/// <summary>Card numbers for tests: the schemes' published test PANs, and random ones completed with a Luhn check digit.</summary>
internal static class TestCards
{
    /// <summary><paramref name="body"/> (all but the last digit) with the Luhn check digit that makes it valid.</summary>
    public static string WithCheckDigit(string body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            // From the right of the finished number, the body's last digit is in a doubled position.
            var d = body[body.Length - 1 - i] - '0';
            if (i % 2 == 0)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return body + (char)('0' + ((10 - (sum % 10)) % 10));
    }

    /// <summary>A Luhn-valid number of <paramref name="length"/> digits starting with <paramref name="prefix"/>, the rest random.</summary>
    public static string Random(string prefix, int length = 16)
    {
        var body = prefix + string.Concat(Enumerable.Range(0, length - 1 - prefix.Length).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
        return WithCheckDigit(body);
    }

    /// <summary>The same number with one check-digit error: fails Luhn, same shape.</summary>
    public static string BreakLuhn(string pan) => pan[..^1] + (char)('0' + ((pan[^1] - '0' + 1) % 10));
}
