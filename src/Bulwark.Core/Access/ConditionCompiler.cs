namespace Bulwark.Core.Access;

/// <summary>
/// Turns a syntax tree into a tree of delegates once, at policy load time, so evaluation walks no tree, parses no
/// literal and allocates nothing unless it fails. Constant function calls (<c>ip("10.0.0.0/8")</c>) and constant lists
/// are folded here, which also means a malformed literal is refused when the policy is loaded, not when it is used.
/// </summary>
internal static class ConditionCompiler
{
    public static Func<AccessRequest, AttributeValue> Compile(ConditionNode node)
    {
        var position = node.Position;
        switch (node.Kind)
        {
            case ConditionNodeKind.Literal:
                var value = node.Value;
                return _ => value;
            case ConditionNodeKind.List:
                return CompileList(node);
            case ConditionNodeKind.Variable:
                throw new ConditionSyntaxException(position, $"'{node.Name}' must be followed by .attribute");
            case ConditionNodeKind.Has:
                var select = Selector(node.Children[0].Name);
                var attribute = node.Name;
                return r => AttributeValue.FromBool(select(r).TryGet(attribute, out _));
            case ConditionNodeKind.Member:
                return CompileMember(node);
            case ConditionNodeKind.Call:
                return CompileCall(node);
            case ConditionNodeKind.Method:
                return CompileMethod(node);
            case ConditionNodeKind.Not:
                var operand = Compile(node.Children[0]);
                return r =>
                {
                    var v = operand(r);
                    return v.Kind == AttributeKind.Bool ? AttributeValue.FromBool(!v.AsBool) : NotBool(v, "!", position);
                };
            case ConditionNodeKind.Negate:
                var number = Compile(node.Children[0]);
                return r =>
                {
                    var v = number(r);
                    return v.Kind switch
                    {
                        AttributeKind.Long when v.AsLong != long.MinValue => AttributeValue.FromLong(-v.AsLong),
                        AttributeKind.Double => AttributeValue.FromDouble(-v.AsDouble),
                        AttributeKind.Error => v,
                        _ => AttributeOperations.Error(position, $"cannot negate {AttributeValue.KindName(v.Kind)}"),
                    };
                };
            case ConditionNodeKind.And or ConditionNodeKind.Or:
                return CompileLogical(node);
            case ConditionNodeKind.Binary:
                return CompileBinary(node);
            default:
                throw new ConditionSyntaxException(position, "unsupported expression");
        }
    }

    private static Func<AccessRequest, AttributeValue> CompileLogical(ConditionNode node)
    {
        var operands = node.Children.Select(Compile).ToArray();
        var stopAt = node.Kind == ConditionNodeKind.Or; // || stops at the first true, && at the first false.
        var op = stopAt ? "||" : "&&";
        var position = node.Position;
        return r =>
        {
            foreach (var operand in operands)
            {
                var v = operand(r);
                if (v.Kind != AttributeKind.Bool)
                {
                    return NotBool(v, op, position);
                }

                if (v.AsBool == stopAt)
                {
                    return v;
                }
            }

            return AttributeValue.FromBool(!stopAt);
        };
    }

    private static Func<AccessRequest, AttributeValue> CompileBinary(ConditionNode node)
    {
        var left = Compile(node.Children[0]);
        var right = Compile(node.Children[1]);
        var position = node.Position;
        return node.Name switch
        {
            "==" => r => AttributeOperations.Equal(left(r), right(r), position, negate: false),
            "!=" => r => AttributeOperations.Equal(left(r), right(r), position, negate: true),
            "in" => r => AttributeOperations.In(left(r), right(r), position),
            var op => r => AttributeOperations.Compare(op, left(r), right(r), position),
        };
    }

    private static Func<AccessRequest, AttributeValue> CompileMember(ConditionNode node)
    {
        var target = node.Children[0];
        var name = node.Name;
        var position = node.Position;
        if (target.Kind == ConditionNodeKind.Variable)
        {
            var select = Selector(target.Name);
            var scope = target.Name;
            return r => select(r).TryGet(name, out var v)
                ? v
                : AttributeOperations.Error(position, $"{scope}.{name} is missing (guard it with has)");
        }

        if (name is not ("hour" or "minute" or "dayOfWeek"))
        {
            throw new ConditionSyntaxException(position, $"unknown property '{name}'; datetimes have hour, minute and dayOfWeek");
        }

        var compiled = Compile(target);
        return r => AttributeOperations.DateTimeProperty(compiled(r), name, position);
    }

    private static Func<AccessRequest, AttributeValue> CompileCall(ConditionNode node)
    {
        var function = node.Name;
        var position = node.Position;
        var argument = node.Children[0];
        if (argument.Kind == ConditionNodeKind.Literal)
        {
            var constant = AttributeOperations.Convert(function, argument.Value, argument.Position);
            if (constant.IsError)
            {
                throw new ConditionSyntaxException(argument.Position, constant.ErrorMessage[(constant.ErrorMessage.IndexOf(':', StringComparison.Ordinal) + 2)..]);
            }

            return _ => constant;
        }

        var compiled = Compile(argument);
        return r => AttributeOperations.Convert(function, compiled(r), position);
    }

    private static Func<AccessRequest, AttributeValue> CompileMethod(ConditionNode node)
    {
        var position = node.Position;
        var target = Compile(node.Children[0]);
        var arity = node.Children.Count - 1;
        if (node.Name is not ("contains" or "containsAny" or "containsAll" or "isInRange"))
        {
            throw new ConditionSyntaxException(position, $"unknown method '{node.Name}'");
        }

        if (arity != 1)
        {
            throw new ConditionSyntaxException(position, $"{node.Name}(...) takes one argument");
        }

        var argument = Compile(node.Children[1]);
        return node.Name switch
        {
            "contains" => r => AttributeOperations.Contains(target(r), argument(r), position),
            "containsAny" => r => AttributeOperations.ContainsAnyOrAll(target(r), argument(r), position, all: false),
            "containsAll" => r => AttributeOperations.ContainsAnyOrAll(target(r), argument(r), position, all: true),
            _ => r => AttributeOperations.IsInRange(target(r), argument(r), position),
        };
    }

    private static Func<AccessRequest, AttributeValue> CompileList(ConditionNode node)
    {
        if (node.Children.All(c => c.Kind == ConditionNodeKind.Literal))
        {
            var constant = AttributeValue.FromSet(node.Children.Select(c => c.Value));
            return _ => constant;
        }

        var elements = node.Children.Select(Compile).ToArray();
        return r =>
        {
            var values = new AttributeValue[elements.Length];
            for (var i = 0; i < elements.Length; i++)
            {
                values[i] = elements[i](r);
                if (values[i].IsError)
                {
                    return values[i];
                }
            }

            return AttributeValue.FromSet(values);
        };
    }

    private static Func<AccessRequest, EntityAttributes> Selector(string variable) => variable switch
    {
        "principal" => r => r.Principal,
        "resource" => r => r.Resource,
        _ => r => r.Context,
    };

    private static AttributeValue NotBool(AttributeValue value, string op, int position) =>
        value.IsError ? value : AttributeOperations.Error(position, $"{op} needs bool, not {AttributeValue.KindName(value.Kind)}");
}
