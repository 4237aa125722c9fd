using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bulwark.Core.Datasets;

namespace Bulwark.Core.Access;

/// <summary>
/// An attribute of a principal, resource or context, or an intermediate value of a condition. A struct so that
/// evaluating a compiled condition allocates nothing on the success path.
/// </summary>
internal readonly struct AttributeValue : IEquatable<AttributeValue>
{
    private readonly long _number;
    private readonly double _double;
    private readonly object? _reference;

    private AttributeValue(AttributeKind kind, long number = 0, double @double = 0, object? reference = null)
    {
        Kind = kind;
        _number = number;
        _double = @double;
        _reference = reference;
    }

    public AttributeKind Kind { get; }

    public static AttributeValue Null => default;

    public static AttributeValue True { get; } = new(AttributeKind.Bool, 1);

    public static AttributeValue False { get; } = new(AttributeKind.Bool, 0);

    public bool IsNull => Kind == AttributeKind.Null;

    public bool IsError => Kind == AttributeKind.Error;

    public string AsString => Kind == AttributeKind.String ? (string)_reference! : throw WrongKind(AttributeKind.String);

    public long AsLong => Kind == AttributeKind.Long ? _number : throw WrongKind(AttributeKind.Long);

    public double AsDouble => Kind switch
    {
        AttributeKind.Double => _double,
        AttributeKind.Long => _number,
        _ => throw WrongKind(AttributeKind.Double),
    };

    public bool AsBool => Kind == AttributeKind.Bool ? _number != 0 : throw WrongKind(AttributeKind.Bool);

    public FrozenSet<AttributeValue> AsSet => Kind == AttributeKind.Set ? (FrozenSet<AttributeValue>)_reference! : throw WrongKind(AttributeKind.Set);

    public DateTimeOffset AsDateTime => Kind == AttributeKind.DateTime ? new DateTimeOffset(_number, TimeSpan.Zero) : throw WrongKind(AttributeKind.DateTime);

    /// <summary>An address is a network of one host (/32 or /128); <c>ip("10.0.0.0/8")</c> is a range.</summary>
    public IPNetwork AsIpNetwork => Kind == AttributeKind.IpAddress ? (IPNetwork)_reference! : throw WrongKind(AttributeKind.IpAddress);

    public DataClassification AsClassification => Kind == AttributeKind.Classification ? (DataClassification)_number : throw WrongKind(AttributeKind.Classification);

    public string ErrorMessage => Kind == AttributeKind.Error ? (string)_reference! : throw WrongKind(AttributeKind.Error);

    public static AttributeValue FromString(string value) => new(AttributeKind.String, reference: value);

    public static AttributeValue FromLong(long value) => new(AttributeKind.Long, value);

    /// <summary>Non-finite numbers are refused: NaN compares false with everything and would make a forbid silently not match.</summary>
    public static AttributeValue FromDouble(double value) =>
        double.IsFinite(value) ? new(AttributeKind.Double, @double: value) : throw new ArgumentOutOfRangeException(nameof(value), "Not a finite number.");

    public static AttributeValue FromBool(bool value) => value ? True : False;

    public static AttributeValue FromDateTime(DateTimeOffset value) => new(AttributeKind.DateTime, value.UtcTicks);

    public static AttributeValue FromClassification(DataClassification value) =>
        Enum.IsDefined(value) ? new(AttributeKind.Classification, (long)value) : throw new ArgumentOutOfRangeException(nameof(value));

    public static AttributeValue FromSet(IEnumerable<AttributeValue> values) => new(AttributeKind.Set, reference: values.ToFrozenSet());

    public static AttributeValue FromStrings(IEnumerable<string> values) => FromSet(values.Select(FromString));

    /// <summary>
    /// IPv4-mapped IPv6 addresses (::ffff:10.1.2.3, what a dual-mode socket reports) are unmapped so that an IPv4 range
    /// check cannot be side-stepped by the address family.
    /// </summary>
    public static AttributeValue FromIpAddress(IPAddress address)
    {
        var normal = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        var prefix = normal.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        return new(AttributeKind.IpAddress, reference: new IPNetwork(normal, prefix));
    }

    public static AttributeValue FromIpNetwork(IPNetwork network) => new(AttributeKind.IpAddress, reference: network);

    public static AttributeValue Error(string message) => new(AttributeKind.Error, reference: message);

    /// <summary>"10.1.2.3", "::1" or a canonical CIDR range "10.0.0.0/8" (host bits set are refused).</summary>
    public static bool TryParseIp(string text, out AttributeValue value)
    {
        value = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            // Parsed by hand: the base address must be the network address itself ("10.1.2.3/8" is refused), so a
            // range always means what it reads as.
            var prefixText = text.AsSpan(slash + 1);
            if (!IPAddress.TryParse(text.AsSpan(0, slash), out var baseAddress)
                || text.Contains('%', StringComparison.Ordinal)
                || prefixText.Length is 0 or > 3
                || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
                || prefix > (baseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
            {
                return false;
            }

            if (!IPNetwork.TryParse(text, out var network) || !network.BaseAddress.Equals(baseAddress))
            {
                return false;
            }

            value = FromIpNetwork(network);
            return true;
        }

        if (!IPAddress.TryParse(text, out var address) || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        value = FromIpAddress(address);
        return true;
    }

    /// <summary>ISO 8601 with an explicit offset ("2026-01-01T00:00:00Z"); a local time without offset is ambiguous and refused.</summary>
    public static bool TryParseDateTime(string text, out AttributeValue value)
    {
        value = default;
        if (text.Length < 20 || !(text.EndsWith('Z') || text[^6] is '+' or '-'))
        {
            return false;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            return false;
        }

        value = FromDateTime(parsed);
        return true;
    }

    /// <summary>Lower-case level names as in the dataset catalogue: public, internal, confidential, restricted.</summary>
    public static bool TryParseClassification(string text, out AttributeValue value)
    {
        value = text switch
        {
            "public" => FromClassification(DataClassification.Public),
            "internal" => FromClassification(DataClassification.Internal),
            "confidential" => FromClassification(DataClassification.Confidential),
            "restricted" => FromClassification(DataClassification.Restricted),
            _ => default,
        };
        return !value.IsNull;
    }

    public static string KindName(AttributeKind kind) => kind switch
    {
        AttributeKind.Null => "null",
        AttributeKind.String => "string",
        AttributeKind.Long => "long",
        AttributeKind.Double => "decimal",
        AttributeKind.Bool => "bool",
        AttributeKind.Set => "set",
        AttributeKind.DateTime => "datetime",
        AttributeKind.IpAddress => "ip",
        AttributeKind.Classification => "classification",
        _ => "error",
    };

    public bool Equals(AttributeValue other) =>
        Kind == other.Kind && Kind switch
        {
            AttributeKind.Null => true,
            AttributeKind.String or AttributeKind.Error => string.Equals((string?)_reference, (string?)other._reference, StringComparison.Ordinal),
            AttributeKind.Double => _double.Equals(other._double),
            AttributeKind.Set => AsSet.SetEquals(other.AsSet),
            AttributeKind.IpAddress => AsIpNetwork.Equals(other.AsIpNetwork),
            _ => _number == other._number,
        };

    public override bool Equals(object? obj) => obj is AttributeValue other && Equals(other);

    public override int GetHashCode() => Kind switch
    {
        AttributeKind.String or AttributeKind.Error => HashCode.Combine(Kind, StringComparer.Ordinal.GetHashCode((string)_reference!)),
        AttributeKind.Double => HashCode.Combine(Kind, _double),
        AttributeKind.Set => HashCode.Combine(Kind, AsSet.Count),
        AttributeKind.IpAddress => HashCode.Combine(Kind, AsIpNetwork),
        _ => HashCode.Combine(Kind, _number),
    };

    public static bool operator ==(AttributeValue left, AttributeValue right) => left.Equals(right);

    public static bool operator !=(AttributeValue left, AttributeValue right) => !left.Equals(right);

    public override string ToString() => Kind switch
    {
        AttributeKind.Null => "null",
        AttributeKind.String => "\"" + AsString + "\"",
        AttributeKind.Long => _number.ToString(CultureInfo.InvariantCulture),
        AttributeKind.Double => _double.ToString("R", CultureInfo.InvariantCulture),
        AttributeKind.Bool => AsBool ? "true" : "false",
        AttributeKind.Set => "[" + string.Join(", ", AsSet.Select(v => v.ToString()).Order(StringComparer.Ordinal)) + "]",
        AttributeKind.DateTime => AsDateTime.ToString("O", CultureInfo.InvariantCulture),
        AttributeKind.IpAddress => AsIpNetwork.ToString(),
        AttributeKind.Classification => AsClassification.ToString().ToLowerInvariant(),
        _ => "error: " + ErrorMessage,
    };

    private InvalidOperationException WrongKind(AttributeKind expected) =>
        new($"Attribute value is {KindName(Kind)}, not {KindName(expected)}.");
}
