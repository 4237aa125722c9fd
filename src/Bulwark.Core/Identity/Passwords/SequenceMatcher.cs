namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Finds runs with a constant small step between characters ("abcd", "4321", "aceg"):
/// zxcvbn's sequence matcher (step 1..5 up or down; a step of more than 1 needs 3+ characters).
/// </summary>
internal static class SequenceMatcher
{
    private const int MaxDelta = 5;

    public static void AddMatches(string password, List<PasswordMatch> matches)
    {
        if (password.Length < 2)
        {
            return;
        }

        var start = 0;
        int? lastDelta = null;
        for (var k = 1; k < password.Length; k++)
        {
            var delta = password[k] - password[k - 1];
            if (lastDelta is null)
            {
                lastDelta = delta;
            }

            if (delta == lastDelta)
            {
                continue;
            }

            Emit(password, start, k - 1, lastDelta.Value, matches);
            start = k - 1;
            lastDelta = delta;
        }

        Emit(password, start, password.Length - 1, lastDelta!.Value, matches);
    }

    private static void Emit(string password, int i, int j, int delta, List<PasswordMatch> matches)
    {
        var absolute = Math.Abs(delta);
        // A two-character run only counts when adjacent ("ab"); larger steps need three ("ace").
        if (absolute is > 0 and <= MaxDelta && (j - i > 1 || (j - i == 1 && absolute == 1)))
        {
            matches.Add(new PasswordMatch(PasswordPattern.Sequence, i, j, password.Substring(i, j - i + 1)) { Ascending = delta > 0 });
        }
    }
}
