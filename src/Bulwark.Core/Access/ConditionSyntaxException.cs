namespace Bulwark.Core.Access;

/// <summary>
/// Unwinds the recursive-descent parser to <see cref="ConditionParser.Parse"/>, which turns it into a returned
/// failure; it never escapes the parser.
/// </summary>
internal sealed class ConditionSyntaxException(int position, string message) : Exception(message)
{
    public int Position { get; } = position;
}
