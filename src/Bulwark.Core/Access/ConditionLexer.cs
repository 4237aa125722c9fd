using System.Text;

namespace Bulwark.Core.Access;

/// <summary>Splits a condition into tokens; hand-written so that every error carries its position.</summary>
internal static class ConditionLexer
{
    public static List<ConditionToken> Tokenize(string source)
    {
        var tokens = new List<ConditionToken>();
        var i = 0;
        while (true)
        {
            while (i < source.Length && char.IsWhiteSpace(source[i]))
            {
                i++;
            }

            if (i >= source.Length)
            {
                tokens.Add(new ConditionToken(ConditionTokenKind.End, "", source.Length + 1));
                return tokens;
            }

            var start = i;
            var c = source[i];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < source.Length && (char.IsAsciiLetterOrDigit(source[i]) || source[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new ConditionToken(ConditionTokenKind.Identifier, source[start..i], start + 1));
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                while (i < source.Length && char.IsAsciiDigit(source[i]))
                {
                    i++;
                }

                var kind = ConditionTokenKind.Integer;
                if (i + 1 < source.Length && source[i] == '.' && char.IsAsciiDigit(source[i + 1]))
                {
                    kind = ConditionTokenKind.Decimal;
                    i++;
                    while (i < source.Length && char.IsAsciiDigit(source[i]))
                    {
                        i++;
                    }
                }

                if (i < source.Length && (char.IsAsciiLetter(source[i]) || source[i] == '_'))
                {
                    throw new ConditionSyntaxException(i + 1, $"unexpected '{source[i]}' after a number");
                }

                tokens.Add(new ConditionToken(kind, source[start..i], start + 1));
                continue;
            }

            if (c == '"')
            {
                tokens.Add(new ConditionToken(ConditionTokenKind.String, ReadString(source, ref i), start + 1));
                continue;
            }

            var next = i + 1 < source.Length ? source[i + 1] : '\0';
            (ConditionTokenKind Kind, int Length) op = (c, next) switch
            {
                ('=', '=') => (ConditionTokenKind.Equal, 2),
                ('!', '=') => (ConditionTokenKind.NotEqual, 2),
                ('<', '=') => (ConditionTokenKind.LessOrEqual, 2),
                ('>', '=') => (ConditionTokenKind.GreaterOrEqual, 2),
                ('&', '&') => (ConditionTokenKind.And, 2),
                ('|', '|') => (ConditionTokenKind.Or, 2),
                ('<', _) => (ConditionTokenKind.Less, 1),
                ('>', _) => (ConditionTokenKind.Greater, 1),
                ('!', _) => (ConditionTokenKind.Not, 1),
                ('-', _) => (ConditionTokenKind.Minus, 1),
                ('(', _) => (ConditionTokenKind.LeftParen, 1),
                (')', _) => (ConditionTokenKind.RightParen, 1),
                ('[', _) => (ConditionTokenKind.LeftBracket, 1),
                (']', _) => (ConditionTokenKind.RightBracket, 1),
                (',', _) => (ConditionTokenKind.Comma, 1),
                ('.', _) => (ConditionTokenKind.Dot, 1),
                ('=', _) => throw new ConditionSyntaxException(start + 1, "'=' is not an operator; use '=='"),
                _ => throw new ConditionSyntaxException(start + 1, $"unexpected character '{Printable(c)}'"),
            };
            tokens.Add(new ConditionToken(op.Kind, source.Substring(start, op.Length), start + 1));
            i += op.Length;
        }
    }

    private static string ReadString(string source, ref int i)
    {
        var start = i;
        i++;
        var builder = new StringBuilder();
        while (true)
        {
            if (i >= source.Length)
            {
                throw new ConditionSyntaxException(start + 1, "unterminated string");
            }

            var c = source[i];
            if (c == '"')
            {
                i++;
                return builder.ToString();
            }

            if (c == '\n' || c == '\r')
            {
                throw new ConditionSyntaxException(i + 1, "line break inside a string");
            }

            if (c != '\\')
            {
                builder.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= source.Length)
            {
                throw new ConditionSyntaxException(start + 1, "unterminated string");
            }

            var escape = source[i + 1];
            switch (escape)
            {
                case '"': builder.Append('"'); break;
                case '\\': builder.Append('\\'); break;
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case 'u':
                    if (i + 5 >= source.Length || !ushort.TryParse(source.AsSpan(i + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code))
                    {
                        throw new ConditionSyntaxException(i + 1, "\\u needs four hexadecimal digits");
                    }

                    builder.Append((char)code);
                    i += 4;
                    break;
                default:
                    throw new ConditionSyntaxException(i + 1, $"unknown escape '\\{Printable(escape)}'");
            }

            i += 2;
        }
    }

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();
}
