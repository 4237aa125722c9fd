namespace Bulwark.Core.Access;

/// <summary>The <c>action</c> scope of a policy: exact permissions, prefixes written "models:*", or "*" for any action.</summary>
internal sealed record ActionMatcher(IReadOnlyList<string> Patterns)
{
    public bool Matches(string action)
    {
        foreach (var pattern in Patterns)
        {
            if (pattern == "*"
                || (pattern.EndsWith(":*", StringComparison.Ordinal)
                    ? action.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
                    : string.Equals(pattern, action, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
