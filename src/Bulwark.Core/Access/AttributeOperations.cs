using System.Net;

namespace Bulwark.Core.Access;

/// <summary>
/// The operators and methods of the condition language. An operand that is already an error propagates; a type
/// mismatch is an error rather than false, because "false" would let a mistyped forbid silently stop matching.
/// </summary>
internal static class AttributeOperations
{
    public static AttributeValue Equal(AttributeValue left, AttributeValue right, int position, bool negate)
    {
        if (left.IsError)
        {
            return left;
        }

        if (right.IsError)
        {
            return right;
        }

        bool equal;
        if (left.Kind == right.Kind)
        {
            equal = left.Equals(right);
        }
        else if (IsNumber(left) && IsNumber(right))
        {
            equal = left.AsDouble.Equals(right.AsDouble);
        }
        else
        {
            return Mismatch(negate ? "!=" : "==", left, right, position);
        }

        return AttributeValue.FromBool(equal != negate);
    }

    public static AttributeValue Compare(string op, AttributeValue left, AttributeValue right, int position)
    {
        if (left.IsError)
        {
            return left;
        }

        if (right.IsError)
        {
            return right;
        }

        int order;
        if (IsNumber(left) && IsNumber(right))
        {
            order = left.Kind == AttributeKind.Long && right.Kind == AttributeKind.Long
                ? left.AsLong.CompareTo(right.AsLong)
                : left.AsDouble.CompareTo(right.AsDouble);
        }
        else if (left.Kind == right.Kind && left.Kind == AttributeKind.Classification)
        {
            order = ((int)left.AsClassification).CompareTo((int)right.AsClassification); // Enum.CompareTo boxes.
        }
        else if (left.Kind == right.Kind && left.Kind == AttributeKind.DateTime)
        {
            order = left.AsDateTime.CompareTo(right.AsDateTime);
        }
        else
        {
            return Mismatch(op, left, right, position);
        }

        return AttributeValue.FromBool(op switch
        {
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            _ => order >= 0,
        });
    }

    /// <summary><c>value in set</c>, the same as <c>set.contains(value)</c>.</summary>
    public static AttributeValue In(AttributeValue value, AttributeValue set, int position) => Contains(set, value, position, "in");

    public static AttributeValue Contains(AttributeValue set, AttributeValue value, int position, string name = "contains")
    {
        if (set.IsError)
        {
            return set;
        }

        if (value.IsError)
        {
            return value;
        }

        return set.Kind == AttributeKind.Set
            ? AttributeValue.FromBool(set.AsSet.Contains(value))
            : Error(position, $"{name} needs a set, not {AttributeValue.KindName(set.Kind)}");
    }

    public static AttributeValue ContainsAnyOrAll(AttributeValue set, AttributeValue values, int position, bool all)
    {
        if (set.IsError)
        {
            return set;
        }

        if (values.IsError)
        {
            return values;
        }

        if (set.Kind != AttributeKind.Set || values.Kind != AttributeKind.Set)
        {
            return Error(position, $"{(all ? "containsAll" : "containsAny")} needs two sets, not {AttributeValue.KindName(set.Kind)} and {AttributeValue.KindName(values.Kind)}");
        }

        var members = set.AsSet;
        foreach (var value in values.AsSet)
        {
            if (members.Contains(value) != all)
            {
                return AttributeValue.FromBool(!all);
            }
        }

        return AttributeValue.FromBool(all);
    }

    /// <summary>Is the address (or whole range) on the left inside the range on the right; families never mix.</summary>
    public static AttributeValue IsInRange(AttributeValue address, AttributeValue range, int position)
    {
        if (address.IsError)
        {
            return address;
        }

        if (range.IsError)
        {
            return range;
        }

        if (address.Kind != AttributeKind.IpAddress || range.Kind != AttributeKind.IpAddress)
        {
            return Error(position, $"isInRange needs two ip values, not {AttributeValue.KindName(address.Kind)} and {AttributeValue.KindName(range.Kind)}");
        }

        IPNetwork inner = address.AsIpNetwork, outer = range.AsIpNetwork;
        return AttributeValue.FromBool(
            inner.BaseAddress.AddressFamily == outer.BaseAddress.AddressFamily
            && inner.PrefixLength >= outer.PrefixLength
            && outer.Contains(inner.BaseAddress));
    }

    public static AttributeValue DateTimeProperty(AttributeValue value, string property, int position)
    {
        if (value.IsError)
        {
            return value;
        }

        if (value.Kind != AttributeKind.DateTime)
        {
            return Error(position, $".{property} needs a datetime, not {AttributeValue.KindName(value.Kind)}");
        }

        var time = value.AsDateTime; // UTC: stored as UTC ticks.
        return AttributeValue.FromLong(property switch
        {
            "hour" => time.Hour,
            "minute" => time.Minute,
            "dayOfWeek" => time.DayOfWeek == DayOfWeek.Sunday ? 7 : (long)time.DayOfWeek, // ISO 8601: Monday = 1 … Sunday = 7.
            _ => throw new ArgumentOutOfRangeException(nameof(property)),
        });
    }

    /// <summary>ip(...), datetime(...) or classification(...) applied to a string.</summary>
    public static AttributeValue Convert(string function, AttributeValue argument, int position)
    {
        if (argument.IsError)
        {
            return argument;
        }

        if (argument.Kind != AttributeKind.String)
        {
            return Error(position, $"{function}(...) needs a string, not {AttributeValue.KindName(argument.Kind)}");
        }

        var text = argument.AsString;
        var ok = function switch
        {
            "ip" => AttributeValue.TryParseIp(text, out var parsed) ? parsed : default,
            "datetime" => AttributeValue.TryParseDateTime(text, out var parsed) ? parsed : default,
            _ => AttributeValue.TryParseClassification(text, out var parsed) ? parsed : default,
        };
        return ok.IsNull ? Error(position, $"invalid {function} \"{Truncate(text)}\"") : ok;
    }

    public static AttributeValue Error(int position, string message) => AttributeValue.Error($"at character {position}: {message}");

    private static bool IsNumber(AttributeValue value) => value.Kind is AttributeKind.Long or AttributeKind.Double;

    private static AttributeValue Mismatch(string op, AttributeValue left, AttributeValue right, int position) =>
        Error(position, $"cannot compare {AttributeValue.KindName(left.Kind)} {op} {AttributeValue.KindName(right.Kind)}");

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
