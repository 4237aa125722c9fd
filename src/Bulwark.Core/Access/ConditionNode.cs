namespace Bulwark.Core.Access;

/// <summary>A node of a condition's syntax tree, with the 1-based character position it starts at.</summary>
internal sealed record ConditionNode(ConditionNodeKind Kind, int Position, string Name, AttributeValue Value, IReadOnlyList<ConditionNode> Children)
{
    public static ConditionNode Literal(int position, AttributeValue value) => new(ConditionNodeKind.Literal, position, "", value, []);

    public static ConditionNode Of(ConditionNodeKind kind, int position, string name, params ConditionNode[] children) =>
        new(kind, position, name, default, children);
}
