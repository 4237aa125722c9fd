namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Finds walks across adjacent keys of a US QWERTY keyboard ("qwerty", "asdf", "1qaz", "zxcvbn"):
/// zxcvbn's spatial matcher. Direction changes (turns) and shifted keys raise the guess count.
/// </summary>
internal static class SpatialMatcher
{
    // Each row: unshifted then shifted character per key. Horizontal positions are in half keys so
    // the stagger of a real keyboard falls out: "q" sits below-right of "1" and below-left of "2".
    private static readonly (string Unshifted, string Shifted, int Offset)[] Rows =
    [
        ("`1234567890-=", "~!@#$%^&*()_+", 0),
        ("qwertyuiop[]\\", "QWERTYUIOP{}|", 3),
        ("asdfghjkl;'", "ASDFGHJKL:\"", 4),
        ("zxcvbnm,./", "ZXCVBNM<>?", 5),
    ];

    // Neighbour directions: left, upper-left, upper-right, right, lower-right, lower-left.
    private static readonly (int Dx, int Dy)[] Directions = [(-2, 0), (-1, -1), (1, -1), (2, 0), (1, 1), (-1, 1)];

    private static readonly Dictionary<char, (int X, int Y, bool Shifted)> Keys = BuildKeys();

    /// <summary>Number of characters that can start a walk (zxcvbn's starting positions).</summary>
    public static double StartingPositions => Keys.Count;

    /// <summary>Average number of neighbours per key (zxcvbn's average degree).</summary>
    public static double AverageDegree { get; } = Keys.Values.Average(k => Directions.Count(d => KeyAt(k.X + d.Dx, k.Y + d.Dy) is not null));

    public static void AddMatches(string password, List<PasswordMatch> matches)
    {
        var i = 0;
        while (i < password.Length - 1)
        {
            var j = i + 1;
            int? lastDirection = null;
            var turns = 0;
            var shifted = Keys.TryGetValue(password[i], out var first) && first.Shifted ? 1 : 0;
            while (true)
            {
                var direction = j < password.Length ? DirectionBetween(password[j - 1], password[j]) : null;
                if (direction is not null)
                {
                    if (Keys[password[j]].Shifted)
                    {
                        shifted++;
                    }

                    if (direction != lastDirection)
                    {
                        turns++;
                        lastDirection = direction;
                    }

                    j++;
                    continue;
                }

                // zxcvbn: a walk needs at least three keys.
                if (j - i > 2)
                {
                    matches.Add(new PasswordMatch(PasswordPattern.Spatial, i, j - 1, password.Substring(i, j - i))
                    {
                        Turns = turns,
                        ShiftedCount = shifted,
                    });
                }

                i = j;
                break;
            }
        }
    }

    private static int? DirectionBetween(char from, char to)
    {
        if (!Keys.TryGetValue(from, out var a) || !Keys.TryGetValue(to, out var b))
        {
            return null;
        }

        for (var d = 0; d < Directions.Length; d++)
        {
            if (a.X + Directions[d].Dx == b.X && a.Y + Directions[d].Dy == b.Y)
            {
                return d;
            }
        }

        return null;
    }

    private static (int Row, int Index)? KeyAt(int x, int y)
    {
        if (y < 0 || y >= Rows.Length)
        {
            return null;
        }

        var offset = x - Rows[y].Offset;
        return offset >= 0 && offset % 2 == 0 && offset / 2 < Rows[y].Unshifted.Length ? (y, offset / 2) : null;
    }

    private static Dictionary<char, (int X, int Y, bool Shifted)> BuildKeys()
    {
        var keys = new Dictionary<char, (int X, int Y, bool Shifted)>();
        for (var y = 0; y < Rows.Length; y++)
        {
            for (var index = 0; index < Rows[y].Unshifted.Length; index++)
            {
                var x = Rows[y].Offset + (2 * index);
                keys[Rows[y].Unshifted[index]] = (x, y, false);
                keys[Rows[y].Shifted[index]] = (x, y, true);
            }
        }

        return keys;
    }
}
