namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Whole-password shapes NIST SP 800-63B §3.1.1.2 names as unacceptable: repetitive or
/// sequential characters ("aaaaaa", "abcabcabc", "1234abcd" style runs spanning the password).
/// </summary>
internal static class PasswordShape
{
    /// <summary>True when the password is one unit typed two or more times ("aaaa", "abcabc").</summary>
    public static bool IsRepetitive(string password)
    {
        var n = password.Length;
        for (var unit = 1; unit <= n / 2; unit++)
        {
            if (n % unit != 0)
            {
                continue;
            }

            var repeated = true;
            for (var k = unit; k < n && repeated; k++)
            {
                repeated = password[k] == password[k - unit];
            }

            if (repeated)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when every character is the previous one plus or minus one, wrapping 9→0 and z→a
    /// ("123456789012345", "abcdefghijklmnop", "zyxwvu"), ignoring case.
    /// </summary>
    public static bool IsSequential(string password)
    {
        if (password.Length < 3)
        {
            return false;
        }

        var lower = password.ToLowerInvariant();
        var step = Step(lower[0], lower[1]);
        if (step == 0)
        {
            return false;
        }

        for (var k = 2; k < lower.Length; k++)
        {
            if (Step(lower[k - 1], lower[k]) != step)
            {
                return false;
            }
        }

        return true;
    }

    // +1 or -1 within digits or within a-z (with wrap-around), otherwise 0.
    private static int Step(char from, char to)
    {
        if (char.IsAsciiDigit(from) && char.IsAsciiDigit(to))
        {
            return Wrap(from - '0', to - '0', 10);
        }

        return char.IsAsciiLetterLower(from) && char.IsAsciiLetterLower(to) ? Wrap(from - 'a', to - 'a', 26) : 0;
    }

    private static int Wrap(int from, int to, int size) =>
        (from + 1) % size == to ? 1 : (from + size - 1) % size == to ? -1 : 0;
}
