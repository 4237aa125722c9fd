namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Finds listed words inside a password: as typed (any case), reversed, and with common
/// "l33t" substitutions undone (zxcvbn's dictionary, reverse-dictionary and l33t matchers).
/// </summary>
internal static class DictionaryMatcher
{
    // Bounds the cartesian product of ambiguous substitutions ('1' = i or l, '7' = l or t, ...).
    private const int MaxSubstitutionCombinations = 32;

    private static readonly Dictionary<char, string> L33tTable = new()
    {
        ['4'] = "a",
        ['@'] = "a",
        ['8'] = "b",
        ['('] = "c",
        ['{'] = "c",
        ['['] = "c",
        ['<'] = "c",
        ['3'] = "e",
        ['6'] = "g",
        ['9'] = "g",
        ['1'] = "il",
        ['!'] = "i",
        ['|'] = "il",
        ['7'] = "lt",
        ['0'] = "o",
        ['$'] = "s",
        ['5'] = "s",
        ['+'] = "t",
        ['%'] = "x",
        ['2'] = "z",
    };

    public static void AddMatches(string password, Dictionary<string, int> userInputs, List<PasswordMatch> matches)
    {
        var lower = password.ToLowerInvariant();
        AddPlain(password, lower, userInputs, matches, null);
        AddReversed(password, userInputs, matches);
        AddL33t(password, lower, userInputs, matches);
    }

    private static void AddPlain(
        string password, string lower, Dictionary<string, int> userInputs, List<PasswordMatch> matches, Func<PasswordMatch, PasswordMatch?>? filter)
    {
        var blocklist = PasswordBlocklist.Ranks.GetAlternateLookup<ReadOnlySpan<char>>();
        var inputs = userInputs.GetAlternateLookup<ReadOnlySpan<char>>();
        var maxLength = Math.Max(PasswordBlocklist.MaxEntryLength, userInputs.Count == 0 ? 0 : userInputs.Keys.Max(k => k.Length));
        for (var i = 0; i < lower.Length; i++)
        {
            for (var j = i; j < lower.Length && j - i < maxLength; j++)
            {
                var candidate = lower.AsSpan(i, j - i + 1);
                if (blocklist.TryGetValue(candidate, out var rank))
                {
                    Add(Create(password, i, j, candidate, rank, fromUserInputs: false));
                }

                if (inputs.TryGetValue(candidate, out rank))
                {
                    Add(Create(password, i, j, candidate, rank, fromUserInputs: true));
                }
            }
        }

        void Add(PasswordMatch match)
        {
            var kept = filter is null ? match : filter(match);
            if (kept is not null)
            {
                matches.Add(kept);
            }
        }
    }

    private static PasswordMatch Create(string password, int i, int j, ReadOnlySpan<char> word, int rank, bool fromUserInputs) =>
        new(PasswordPattern.Dictionary, i, j, password.Substring(i, j - i + 1))
        {
            MatchedWord = word.ToString(),
            Rank = rank,
            FromUserInputs = fromUserInputs,
        };

    private static void AddReversed(string password, Dictionary<string, int> userInputs, List<PasswordMatch> matches)
    {
        var chars = password.ToCharArray();
        Array.Reverse(chars);
        var reversed = new string(chars);
        var n = password.Length;
        AddPlain(reversed, reversed.ToLowerInvariant(), userInputs, matches, match =>
        {
            var token = password.Substring(n - 1 - match.End, match.Length);
            // A palindrome is already found the forward way; counting it twice adds nothing.
            return string.Equals(token, match.Token, StringComparison.Ordinal)
                ? null
                : match with { Start = n - 1 - match.End, End = n - 1 - match.Start, Token = token, Reversed = true };
        });
    }

    private static void AddL33t(string password, string lower, Dictionary<string, int> userInputs, List<PasswordMatch> matches)
    {
        var present = lower.Where(L33tTable.ContainsKey).Distinct().ToArray();
        if (present.Length == 0)
        {
            return;
        }

        var seen = new HashSet<(int, int, string, bool)>();
        foreach (var substitution in Combinations(present))
        {
            var translated = string.Create(lower.Length, (lower, substitution), static (span, state) =>
            {
                for (var k = 0; k < span.Length; k++)
                {
                    span[k] = state.substitution.TryGetValue(state.lower[k], out var letter) ? letter : state.lower[k];
                }
            });
            AddPlain(password, translated, userInputs, matches, match =>
            {
                var used = new Dictionary<char, char>();
                foreach (var c in match.Token)
                {
                    if (substitution.TryGetValue(c, out var letter))
                    {
                        used[c] = letter;
                    }
                }

                // zxcvbn ignores single-character l33t matches and matches with no substitution in them.
                return used.Count == 0 || match.Length <= 1 || !seen.Add((match.Start, match.End, match.MatchedWord, match.FromUserInputs))
                    ? null
                    : match with { L33tSubstitutions = used };
            });
        }
    }

    private static IEnumerable<Dictionary<char, char>> Combinations(char[] present)
    {
        var produced = 0;
        var choice = new int[present.Length];
        while (produced < MaxSubstitutionCombinations)
        {
            var map = new Dictionary<char, char>(present.Length);
            for (var k = 0; k < present.Length; k++)
            {
                map[present[k]] = L33tTable[present[k]][choice[k]];
            }

            yield return map;
            produced++;

            // Odometer increment over the candidate letters of each l33t character.
            var position = 0;
            while (position < present.Length)
            {
                choice[position]++;
                if (choice[position] < L33tTable[present[position]].Length)
                {
                    break;
                }

                choice[position] = 0;
                position++;
            }

            if (position == present.Length)
            {
                yield break;
            }
        }
    }
}
