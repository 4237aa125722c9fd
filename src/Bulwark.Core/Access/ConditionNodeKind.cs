namespace Bulwark.Core.Access;

/// <summary>The node types of a parsed condition.</summary>
internal enum ConditionNodeKind
{
    /// <summary>A constant (<see cref="ConditionNode.Value"/>).</summary>
    Literal,

    /// <summary><c>[a, b]</c>: the children are the elements.</summary>
    List,

    /// <summary><c>principal</c>, <c>resource</c> or <c>context</c> (<see cref="ConditionNode.Name"/>).</summary>
    Variable,

    /// <summary><c>target.name</c>: an attribute of a variable, or a property such as <c>hour</c> of a datetime.</summary>
    Member,

    /// <summary><c>principal has name</c> / <c>has(principal.name)</c>: the child is the variable.</summary>
    Has,

    /// <summary><c>name(args)</c>: ip, datetime, classification.</summary>
    Call,

    /// <summary><c>target.name(args)</c>: the first child is the target.</summary>
    Method,

    Not,
    Negate,

    /// <summary>All children, left to right, stopping at the first false.</summary>
    And,

    /// <summary>All children, left to right, stopping at the first true.</summary>
    Or,

    /// <summary>A comparison (<c>== != &lt; &lt;= &gt; &gt;=</c>) or <c>in</c>, named by <see cref="ConditionNode.Name"/>.</summary>
    Binary,
}
