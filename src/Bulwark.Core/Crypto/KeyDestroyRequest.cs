using System.Text.Json.Serialization;

namespace Bulwark.Core.Crypto;

/// <summary>A destroy that one instance administrator asked for and a different one must approve (four eyes).</summary>
internal sealed class KeyDestroyRequest
{
    [JsonPropertyName("version")]
    public string VersionId { get; set; } = "";

    [JsonPropertyName("requestedBy")]
    public string RequestedBy { get; set; } = "";

    [JsonPropertyName("requestedAt")]
    public DateTimeOffset RequestedAt { get; set; }

    [JsonPropertyName("reason")]
    public string Reason { get; set; } = "";
}
