using System.Buffers.Text;
using System.Text.Json;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// The decoded header and payload of a JWS compact serialization, before any signature check. Everything read from
/// here is attacker-controlled: it only selects which issuer's rules and keys apply, it never supplies a key.
/// </summary>
internal sealed class UnverifiedJwt : IDisposable
{
    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        MaxDepth = 16,
        // Duplicate members would let two parsers disagree on what was signed (RFC 7515 §5.2 step 4: reject).
        AllowDuplicateProperties = false,
    };

    private readonly JsonDocument _header;
    private readonly JsonDocument _payload;

    private UnverifiedJwt(JsonDocument header, JsonDocument payload, bool hasSignature)
    {
        _header = header;
        _payload = payload;
        HasSignature = hasSignature;
    }

    public JsonElement Header => _header.RootElement;

    public JsonElement Payload => _payload.RootElement;

    public bool HasSignature { get; }

    /// <summary>Exactly three base64url segments whose first two are JSON objects; a JWE (five segments) is refused.</summary>
    public static UnverifiedJwt? TryParse(string token)
    {
        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second < 0 || token.IndexOf('.', second + 1) >= 0)
            return null;

        var signature = token.AsSpan(second + 1);
        if (!Base64Url.IsValid(signature))
            return null;
        var header = ParseObject(token.AsSpan(0, first));
        if (header is null)
            return null;
        var payload = ParseObject(token.AsSpan(first + 1, second - first - 1));
        if (payload is null)
        {
            header.Dispose();
            return null;
        }

        return new UnverifiedJwt(header, payload, !signature.IsEmpty);
    }

    public string? HeaderString(string name) => StringMember(Header, name);

    public string? PayloadString(string name) => StringMember(Payload, name);

    public bool HasHeader(string name) => Header.TryGetProperty(name, out _);

    /// <summary>A NumericDate (RFC 7519 §2); <paramref name="present"/> tells a missing member from a malformed one.</summary>
    public DateTimeOffset? PayloadTime(string name, out bool present)
    {
        present = Payload.TryGetProperty(name, out var value);
        if (!present || value.ValueKind != JsonValueKind.Number)
            return null;
        if (value.TryGetInt64(out var seconds) && seconds is >= 0 and <= 253_402_300_799)
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (value.TryGetDouble(out var fractional) && fractional is >= 0 and <= 253_402_300_799)
            return DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(fractional));
        return null;
    }

    /// <summary>A claim given as one string or an array of strings; anything else yields nothing.</summary>
    public IReadOnlyList<string> PayloadStrings(string name, bool splitOnSpaces = false)
    {
        if (!Payload.TryGetProperty(name, out var value))
            return [];
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            return splitOnSpaces ? text.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [text];
        }

        if (value.ValueKind != JsonValueKind.Array)
            return [];
        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
                list.Add(item.GetString()!);
        }

        return list;
    }

    public void Dispose()
    {
        _header.Dispose();
        _payload.Dispose();
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonDocument? ParseObject(ReadOnlySpan<char> segment)
    {
        if (segment.IsEmpty || !Base64Url.IsValid(segment, out var length))
            return null;
        var bytes = new byte[length];
        if (!Base64Url.TryDecodeFromChars(segment, bytes, out var written))
            return null;
        try
        {
            var document = JsonDocument.Parse(bytes.AsMemory(0, written), JsonOptions);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
                return document;
            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
