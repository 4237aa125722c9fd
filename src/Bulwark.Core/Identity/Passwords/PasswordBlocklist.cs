namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// The common-password list (NIST SP 800-63B §3.1.1.2: compare against values known to be
/// commonly used or compromised). Loaded once from the embedded resource; ranks start at 1.
/// </summary>
internal static class PasswordBlocklist
{
    private const string ResourceName = "Bulwark.Core.Identity.Passwords.common-passwords.txt";

    private static int maxEntryLength;

    private static readonly Lazy<Dictionary<string, int>> LazyRanks = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Lower-case entry to its 1-based rank.</summary>
    public static Dictionary<string, int> Ranks => LazyRanks.Value;

    /// <summary>Longest entry, so matchers never look up substrings that cannot be listed.</summary>
    public static int MaxEntryLength
    {
        get
        {
            _ = LazyRanks.Value;
            return maxEntryLength;
        }
    }

    /// <summary>Exact, case-insensitive membership of an already normalised password.</summary>
    public static bool Contains(string normalizedPassword)
    {
        ArgumentNullException.ThrowIfNull(normalizedPassword);
        return normalizedPassword.Length <= MaxEntryLength && Ranks.ContainsKey(normalizedPassword.ToLowerInvariant());
    }

    private static Dictionary<string, int> Load()
    {
        using var stream = typeof(PasswordBlocklist).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("The embedded common-password list is missing from the build.");
        using var reader = new StreamReader(stream);
        var ranks = new Dictionary<string, int>(50_000, StringComparer.Ordinal);
        var rank = 0;
        var longest = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            rank++;
            // Keep the best rank when two entries differ only by case.
            if (ranks.TryAdd(line.ToLowerInvariant(), rank))
            {
                longest = Math.Max(longest, line.Length);
            }
        }

        maxEntryLength = longest;
        return ranks;
    }
}
