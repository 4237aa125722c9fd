namespace Bulwark.Core.Access;

/// <summary>A token and its 1-based character position in the condition text.</summary>
internal readonly record struct ConditionToken(ConditionTokenKind Kind, string Text, int Position);
