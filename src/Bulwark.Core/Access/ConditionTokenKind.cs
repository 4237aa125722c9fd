namespace Bulwark.Core.Access;

/// <summary>The tokens of the condition language.</summary>
internal enum ConditionTokenKind
{
    End,
    Identifier,
    String,
    Integer,
    Decimal,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Comma,
    Dot,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    And,
    Or,
    Not,
    Minus,
}
