namespace Bulwark.Core.Identity.Passwords;

/// <summary>zxcvbn's feedback: explain the weakest part of a password in plain English.</summary>
internal static class StrengthFeedback
{
    public const string AddWord = "Add another word or two. Uncommon words are better.";

    public static (string? Warning, IReadOnlyList<string> Suggestions) For(int score, IReadOnlyList<PasswordMatch> sequence)
    {
        if (sequence.Count == 0)
        {
            return (null, ["Use a few words, avoid common phrases.", "No need for symbols, digits, or uppercase letters."]);
        }

        if (score > 2)
        {
            return (null, []);
        }

        // The longest piece explains most of the weakness.
        var longest = sequence.MaxBy(m => m.Length)!;
        var (warning, suggestions) = ForMatch(longest, sequence.Count == 1);
        return (warning, [AddWord, .. suggestions]);
    }

    private static (string? Warning, string[] Suggestions) ForMatch(PasswordMatch match, bool isSoleMatch) => match.Pattern switch
    {
        PasswordPattern.Dictionary => ForDictionary(match, isSoleMatch),
        PasswordPattern.Spatial => (
            match.Turns == 1 ? "Straight rows of keys are easy to guess." : "Short keyboard patterns are easy to guess.",
            ["Use a longer keyboard pattern with more turns."]),
        PasswordPattern.Repeat => (
            match.BaseToken.Length == 1
                ? "Repeats like \"aaa\" are easy to guess."
                : "Repeats like \"abcabcabc\" are only slightly harder to guess than \"abc\".",
            ["Avoid repeated words and characters."]),
        PasswordPattern.Sequence => ("Sequences like abc or 6543 are easy to guess.", ["Avoid sequences."]),
        PasswordPattern.Year => ("Recent years are easy to guess.", ["Avoid recent years.", "Avoid years that are associated with you."]),
        PasswordPattern.Date => ("Dates are often easy to guess.", ["Avoid dates and years that are associated with you."]),
        _ => (null, []),
    };

    private static (string? Warning, string[] Suggestions) ForDictionary(PasswordMatch match, bool isSoleMatch)
    {
        string? warning;
        if (match.FromUserInputs)
        {
            warning = "Avoid your login name, your name and the name of this service.";
        }
        else if (isSoleMatch && !match.Reversed && match.L33tSubstitutions is null)
        {
            warning = match.Rank <= 10 ? "This is a top-10 common password."
                : match.Rank <= 100 ? "This is a top-100 common password."
                : "This is a very common password.";
        }
        else
        {
            warning = "This is similar to a commonly used password.";
        }

        var suggestions = new List<string>();
        var token = match.Token;
        if (token.Length > 0 && char.IsUpper(token[0]) && token.Skip(1).All(c => !char.IsUpper(c)))
        {
            suggestions.Add("Capitalization doesn't help very much.");
        }
        else if (token.Any(char.IsLetter) && token.Where(char.IsLetter).All(char.IsUpper))
        {
            suggestions.Add("All-uppercase is almost as easy to guess as all-lowercase.");
        }

        if (match.Reversed && token.Length >= 4)
        {
            suggestions.Add("Reversed words aren't much harder to guess.");
        }

        if (match.L33tSubstitutions is not null)
        {
            suggestions.Add("Predictable substitutions like '@' instead of 'a' don't help very much.");
        }

        return (warning, [.. suggestions]);
    }
}
