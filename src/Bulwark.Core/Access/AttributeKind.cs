namespace Bulwark.Core.Access;

/// <summary>The type of an <see cref="AttributeValue"/>.</summary>
internal enum AttributeKind
{
    /// <summary>Absent or explicitly null: <c>has</c> is false and reading it is an error.</summary>
    Null,
    String,
    Long,
    Double,
    Bool,
    Set,
    DateTime,
    IpAddress,
    Classification,

    /// <summary>Only produced while evaluating a condition: the reason it could not be decided.</summary>
    Error,
}
