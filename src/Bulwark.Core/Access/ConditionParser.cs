using System.Globalization;

namespace Bulwark.Core.Access;

/// <summary>
/// Recursive-descent parser for the condition language (grammar in docs/access-control.md). Precedence, lowest first:
/// <c>||</c>, <c>&amp;&amp;</c>, comparisons / <c>in</c> / <c>has</c> (which do not chain), <c>! -</c>, member access and calls.
/// </summary>
internal sealed class ConditionParser
{
    public const int MaxLength = 4096;
    public const int MaxDepth = 32;

    private readonly List<ConditionToken> _tokens;
    private int _index;
    private int _depth;

    private ConditionParser(List<ConditionToken> tokens) => _tokens = tokens;

    private ConditionToken Current => _tokens[_index];

    /// <summary>Parses <paramref name="source"/>; a failure's detail starts with "at character N:".</summary>
    public static Outcome<ConditionNode> Parse(string source)
    {
        if (source.Length > MaxLength)
        {
            return Invalid(MaxLength + 1, $"the condition is longer than {MaxLength} characters");
        }

        try
        {
            var parser = new ConditionParser(ConditionLexer.Tokenize(source));
            var node = parser.ParseOr();
            if (parser.Current.Kind != ConditionTokenKind.End)
            {
                throw new ConditionSyntaxException(parser.Current.Position, $"unexpected '{parser.Current.Text}'");
            }

            return node;
        }
        catch (ConditionSyntaxException e)
        {
            return Invalid(e.Position, e.Message);
        }
    }

    private static Failure Invalid(int position, string message) =>
        new(PolicyParser.InvalidCode, 400, $"at character {position}: {message}", new Dictionary<string, object?> { ["position"] = position });

    private ConditionNode ParseOr() => ParseChain(ConditionTokenKind.Or, ConditionNodeKind.Or, ParseAnd);

    private ConditionNode ParseAnd() => ParseChain(ConditionTokenKind.And, ConditionNodeKind.And, ParseRelation);

    private ConditionNode ParseChain(ConditionTokenKind op, ConditionNodeKind kind, Func<ConditionNode> operand)
    {
        var first = operand();
        if (Current.Kind != op)
        {
            return first;
        }

        var children = new List<ConditionNode> { first };
        while (Current.Kind == op)
        {
            _index++;
            children.Add(operand());
        }

        return new ConditionNode(kind, first.Position, "", default, children);
    }

    private ConditionNode ParseRelation()
    {
        var left = ParseUnary();
        var token = Current;
        if (token.Kind == ConditionTokenKind.Identifier && token.Text == "has")
        {
            _index++;
            if (left.Kind != ConditionNodeKind.Variable)
            {
                throw new ConditionSyntaxException(token.Position, "'has' needs principal, resource or context on its left");
            }

            var name = Current;
            if (name.Kind is not (ConditionTokenKind.Identifier or ConditionTokenKind.String))
            {
                throw new ConditionSyntaxException(name.Position, "'has' needs an attribute name");
            }

            _index++;
            return RejectChain(ConditionNode.Of(ConditionNodeKind.Has, left.Position, name.Text, left));
        }

        var op = token.Kind switch
        {
            ConditionTokenKind.Equal or ConditionTokenKind.NotEqual or ConditionTokenKind.Less or ConditionTokenKind.LessOrEqual
                or ConditionTokenKind.Greater or ConditionTokenKind.GreaterOrEqual => token.Text,
            ConditionTokenKind.Identifier when token.Text == "in" => "in",
            _ => null,
        };
        if (op is null)
        {
            return left;
        }

        _index++;
        var right = ParseUnary();
        return RejectChain(ConditionNode.Of(ConditionNodeKind.Binary, token.Position, op, left, right));
    }

    private ConditionNode RejectChain(ConditionNode node)
    {
        var next = Current;
        if (next.Kind is ConditionTokenKind.Equal or ConditionTokenKind.NotEqual or ConditionTokenKind.Less or ConditionTokenKind.LessOrEqual
                or ConditionTokenKind.Greater or ConditionTokenKind.GreaterOrEqual
            || next.Kind == ConditionTokenKind.Identifier && next.Text is "in" or "has")
        {
            throw new ConditionSyntaxException(next.Position, "comparisons do not chain; use parentheses and && / ||");
        }

        return node;
    }

    private ConditionNode ParseUnary()
    {
        var token = Current;
        if (token.Kind is ConditionTokenKind.Not or ConditionTokenKind.Minus)
        {
            _index++;
            Enter(token.Position);
            var operand = ParseUnary();
            _depth--;
            if (token.Kind == ConditionTokenKind.Minus && operand.Kind == ConditionNodeKind.Literal && operand.Value.Kind is AttributeKind.Long or AttributeKind.Double)
            {
                // Fold "-5" into a literal; long.MinValue cannot be written, which no policy needs.
                return ConditionNode.Literal(token.Position, operand.Value.Kind == AttributeKind.Long
                    ? AttributeValue.FromLong(-operand.Value.AsLong)
                    : AttributeValue.FromDouble(-operand.Value.AsDouble));
            }

            return ConditionNode.Of(token.Kind == ConditionTokenKind.Not ? ConditionNodeKind.Not : ConditionNodeKind.Negate, token.Position, "", operand);
        }

        return ParseMember();
    }

    private ConditionNode ParseMember()
    {
        var node = ParsePrimary();
        var chain = 0;
        while (Current.Kind == ConditionTokenKind.Dot)
        {
            if (++chain > MaxDepth)
            {
                throw new ConditionSyntaxException(Current.Position, $"more than {MaxDepth} chained members");
            }

            _index++;
            var name = Expect(ConditionTokenKind.Identifier, "an attribute or method name after '.'");
            if (Current.Kind == ConditionTokenKind.LeftParen)
            {
                var args = ParseArguments();
                args.Insert(0, node);
                node = new ConditionNode(ConditionNodeKind.Method, name.Position, name.Text, default, args);
            }
            else
            {
                node = ConditionNode.Of(ConditionNodeKind.Member, name.Position, name.Text, node);
            }
        }

        return node;
    }

    private ConditionNode ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case ConditionTokenKind.String:
                _index++;
                return ConditionNode.Literal(token.Position, AttributeValue.FromString(token.Text));
            case ConditionTokenKind.Integer:
                _index++;
                return long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                    ? ConditionNode.Literal(token.Position, AttributeValue.FromLong(number))
                    : throw new ConditionSyntaxException(token.Position, "integer out of range");
            case ConditionTokenKind.Decimal:
                _index++;
                var value = double.Parse(token.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                return double.IsFinite(value)
                    ? ConditionNode.Literal(token.Position, AttributeValue.FromDouble(value))
                    : throw new ConditionSyntaxException(token.Position, "decimal out of range");
            case ConditionTokenKind.LeftParen:
                _index++;
                Enter(token.Position);
                var inner = ParseOr();
                _depth--;
                Expect(ConditionTokenKind.RightParen, "')'");
                return inner;
            case ConditionTokenKind.LeftBracket:
                Enter(token.Position);
                var elements = ParseList(ConditionTokenKind.LeftBracket, ConditionTokenKind.RightBracket, "']'");
                _depth--;
                return new ConditionNode(ConditionNodeKind.List, token.Position, "", default, elements);
            case ConditionTokenKind.Identifier:
                return ParseIdentifier(token);
            case ConditionTokenKind.End:
                throw new ConditionSyntaxException(token.Position, "unexpected end of condition");
            default:
                throw new ConditionSyntaxException(token.Position, $"unexpected '{token.Text}'");
        }
    }

    private ConditionNode ParseIdentifier(ConditionToken token)
    {
        _index++;
        switch (token.Text)
        {
            case "true":
                return ConditionNode.Literal(token.Position, AttributeValue.True);
            case "false":
                return ConditionNode.Literal(token.Position, AttributeValue.False);
            case "principal" or "resource" or "context":
                return ConditionNode.Of(ConditionNodeKind.Variable, token.Position, token.Text);
        }

        if (Current.Kind != ConditionTokenKind.LeftParen)
        {
            throw new ConditionSyntaxException(token.Position, $"unknown name '{token.Text}'; attributes are written principal.x, resource.x or context.x");
        }

        var args = ParseArguments();
        if (token.Text == "has")
        {
            if (args.Count != 1 || args[0] is not { Kind: ConditionNodeKind.Member } member || member.Children[0].Kind != ConditionNodeKind.Variable)
            {
                throw new ConditionSyntaxException(token.Position, "has(...) takes one attribute such as principal.clearance");
            }

            return ConditionNode.Of(ConditionNodeKind.Has, token.Position, member.Name, member.Children[0]);
        }

        if (token.Text is not ("ip" or "datetime" or "classification"))
        {
            throw new ConditionSyntaxException(token.Position, $"unknown function '{token.Text}'");
        }

        if (args.Count != 1)
        {
            throw new ConditionSyntaxException(token.Position, $"{token.Text}(...) takes one argument");
        }

        return new ConditionNode(ConditionNodeKind.Call, token.Position, token.Text, default, args);
    }

    private List<ConditionNode> ParseArguments()
    {
        var position = Current.Position;
        Enter(position);
        var args = ParseList(ConditionTokenKind.LeftParen, ConditionTokenKind.RightParen, "')'");
        _depth--;
        return args;
    }

    private List<ConditionNode> ParseList(ConditionTokenKind open, ConditionTokenKind close, string closeText)
    {
        Expect(open, "'('");
        var items = new List<ConditionNode>();
        if (Current.Kind == close)
        {
            _index++;
            return items;
        }

        while (true)
        {
            items.Add(ParseOr());
            if (Current.Kind == ConditionTokenKind.Comma)
            {
                _index++;
                continue;
            }

            Expect(close, $"',' or {closeText}");
            return items;
        }
    }

    private ConditionToken Expect(ConditionTokenKind kind, string what)
    {
        var token = Current;
        if (token.Kind != kind)
        {
            var found = token.Kind == ConditionTokenKind.End ? "end of condition" : $"'{token.Text}'";
            throw new ConditionSyntaxException(token.Position, $"expected {what} but found {found}");
        }

        _index++;
        return token;
    }

    private void Enter(int position)
    {
        if (++_depth > MaxDepth)
        {
            throw new ConditionSyntaxException(position, $"nested deeper than {MaxDepth} levels");
        }
    }
}
