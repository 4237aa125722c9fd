using System.Globalization;

namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Decides whether a new password may be set, under a <see cref="PasswordProfile"/>. Rules run in
/// a fixed order and the first failure names the <see cref="PasswordVerdict.Code"/>. The NIST
/// profile has no composition rule and nothing here expires passwords: SP 800-63B §3.1.1.2 forbids both.
/// </summary>
internal sealed class PasswordPolicy(PasswordHasher hasher, PasswordStrengthEstimator estimator)
{
    /// <summary>The product name is the first word an attacker tries against this service.</summary>
    public const string ServiceName = "bulwark";

    // NFKC can shrink text (combining marks compose), but never by this much: longer raw input is
    // rejected before any per-character work.
    private const int RawLengthFactor = 8;

    private static readonly char[] NameSeparators = [' ', '\t', '.', ',', '-', '_', '\'', '@', '(', ')'];

    public PasswordVerdict Check(string password, PasswordProfile profile, PasswordContext context)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(context);

        var contextWords = ContextWords(context);
        if (password.Length > profile.MaxLength * RawLengthFactor)
        {
            var capped = estimator.Estimate(password[..(profile.MaxLength * 2)], contextWords);
            return Reject(PasswordCodes.TooLong, TooLongMessage(profile), capped);
        }

        var strength = estimator.Estimate(password, contextWords);

        // NIST SP 800-63B §3.1.1.2: all printing characters, space and Unicode are allowed; invisible
        // control and format characters are not, because users cannot see or reliably retype them.
        if (PasswordText.ContainsForbiddenCharacters(password))
        {
            return Reject(PasswordCodes.InvalidCharacters, "Use only visible characters: control and formatting characters are not allowed.", strength);
        }

        var normalized = PasswordText.Normalize(password);
        var length = PasswordText.CountCodePoints(normalized);
        var minimum = context.HasMfa ? profile.MinLengthWithMfa : profile.MinLengthPasswordOnly;
        if (length < minimum)
        {
            return Reject(
                PasswordCodes.TooShort,
                Format($"Use a passphrase of at least {minimum} characters: length is what makes a password hard to guess, and several unrelated words are easy to remember."),
                strength);
        }

        if (length > profile.MaxLength)
        {
            return Reject(PasswordCodes.TooLong, TooLongMessage(profile), strength);
        }

        // PCI DSS v4.0 8.3.6 only; the NIST profile must not impose composition rules.
        if (profile.RequireLettersAndDigits && !(normalized.Any(char.IsLetter) && normalized.Any(char.IsDigit)))
        {
            return Reject(PasswordCodes.Composition, "Include at least one letter and one digit.", strength);
        }

        if (IsBlocklisted(normalized))
        {
            return Reject(PasswordCodes.Blocklisted, "This password is on a list of commonly used passwords. Choose something less predictable.", strength);
        }

        var lower = normalized.ToLowerInvariant();
        if (contextWords.Any(word => lower.Contains(word, StringComparison.Ordinal)))
        {
            return Reject(PasswordCodes.Context, "Do not use your login name, your name or the name of this service in your password.", strength);
        }

        if (PasswordShape.IsRepetitive(normalized))
        {
            return Reject(PasswordCodes.Repetitive, "Avoid repeating the same characters or words.", strength);
        }

        if (PasswordShape.IsSequential(normalized))
        {
            return Reject(PasswordCodes.Sequential, "Avoid sequences such as 12345 or abcde.", strength);
        }

        // PCI DSS v4.0 8.3.7: not the same as any of the last HistoryDepth passwords.
        foreach (var previous in context.PreviousHashes.Take(profile.HistoryDepth))
        {
            if (hasher.Verify(previous, normalized) != PasswordVerification.Failed)
            {
                return Reject(
                    PasswordCodes.Reused,
                    Format($"Choose a password you have not used recently (the last {profile.HistoryDepth} cannot be reused)."),
                    strength);
            }
        }

        if (strength.Score < profile.MinimumScore)
        {
            return Reject(PasswordCodes.Weak, strength.Warning is null
                ? "This password is too easy to guess. Add another word or two."
                : strength.Warning + " Add another word or two.", strength);
        }

        return new PasswordVerdict(true, null, null, strength);
    }

    /// <summary>
    /// Exact, case-insensitive match against the list, also with trailing digits and punctuation
    /// removed: "password123!" is still "password" to a cracking dictionary with mangling rules.
    /// </summary>
    public static bool IsBlocklisted(string normalizedPassword)
    {
        if (PasswordBlocklist.Contains(normalizedPassword))
        {
            return true;
        }

        var stem = normalizedPassword.TrimEnd().AsSpan();
        var end = stem.Length;
        while (end > 0 && (char.IsDigit(stem[end - 1]) || char.IsPunctuation(stem[end - 1]) || char.IsSymbol(stem[end - 1])))
        {
            end--;
        }

        return end > 0 && end < stem.Length && PasswordBlocklist.Contains(stem[..end].ToString());
    }

    private static List<string> ContextWords(PasswordContext context)
    {
        var words = new List<string>();
        AddWord(context.LoginName);
        var at = context.LoginName.IndexOf('@', StringComparison.Ordinal);
        if (at > 0)
        {
            // An e-mail login: its local part is just as guessable.
            AddWord(context.LoginName[..at]);
        }

        if (context.DisplayName is { } displayName)
        {
            foreach (var part in displayName.Split(NameSeparators, StringSplitOptions.RemoveEmptyEntries))
            {
                AddWord(part);
            }
        }

        AddWord(ServiceName);
        return words;

        void AddWord(string? word)
        {
            // Words under 3 characters would reject half the dictionary ("al" in "always").
            if (word is null || word.Length > 256)
            {
                return;
            }

            var lower = PasswordText.Normalize(word.Trim()).ToLowerInvariant();
            if (PasswordText.CountCodePoints(lower) >= 3 && !words.Contains(lower))
            {
                words.Add(lower);
            }
        }
    }

    private static string TooLongMessage(PasswordProfile profile) =>
        Format($"Use at most {profile.MaxLength} characters.");

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static PasswordVerdict Reject(string code, string message, PasswordStrength strength) =>
        new(false, code, message, strength);
}
