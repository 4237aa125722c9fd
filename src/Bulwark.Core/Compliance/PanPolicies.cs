namespace Bulwark.Core.Compliance;

/// <summary>The names of <see cref="PanPolicy"/> values as configuration, the API and the database spell them.</summary>
internal static class PanPolicies
{
    public const string Reject = "reject";
    public const string Truncate = "truncate";
    public const string Tokenise = "tokenise";

    public static bool TryParse(string? name, out PanPolicy policy)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case Reject:
                policy = PanPolicy.Reject;
                return true;
            case Truncate:
                policy = PanPolicy.Truncate;
                return true;
            case Tokenise or "tokenize":
                policy = PanPolicy.Tokenise;
                return true;
            default:
                policy = PanPolicy.Reject;
                return false;
        }
    }

    public static string NameOf(PanPolicy policy) => policy switch
    {
        PanPolicy.Truncate => Truncate,
        PanPolicy.Tokenise => Tokenise,
        _ => Reject,
    };
}
