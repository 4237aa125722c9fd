using System.Globalization;
using System.Text.Json;
using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// Reads single named fields of an event's details. Rules copy only the fields they name into a detection, never the
/// whole details object. Malformed details read as absent: a rule must not stop the stream over one odd row.
/// </summary>
internal static class EventDetails
{
    /// <summary>The field as text (strings as-is, numbers and booleans in invariant form); null if absent, null or unreadable.</summary>
    public static string? Text(AuditEvent e, string name)
    {
        if (string.IsNullOrEmpty(e.Details) || e.Details == "{}")
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(e.Details);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(name, out var value))
            {
                return null;
            }

            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.True => bool.TrueString.ToLower(CultureInfo.InvariantCulture),
                JsonValueKind.False => bool.FalseString.ToLower(CultureInfo.InvariantCulture),
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
