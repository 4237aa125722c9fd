using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Bulwark.Core.Crypto;

/// <summary>
/// Dead Simple Signing Envelope v1 (secure-systems-lab/dsse, envelope.md and protocol.md): the signature covers the
/// pre-authentication encoding (PAE) of payload type and payload, never the JSON, so re-encoding the envelope cannot
/// change what was signed and a payload cannot be reinterpreted as another type.
/// </summary>
internal static class Dsse
{
    public const string InTotoPayloadType = "application/vnd.in-toto+json";

    /// <summary>PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, LEN = ASCII decimal byte count.</summary>
    public static byte[] Pae(string payloadType, ReadOnlySpan<byte> payload)
    {
        var typeBytes = Encoding.UTF8.GetBytes(payloadType);
        var header = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"DSSEv1 {typeBytes.Length} {payloadType} {payload.Length} "));
        var pae = new byte[header.Length + payload.Length];
        header.CopyTo(pae, 0);
        payload.CopyTo(pae.AsSpan(header.Length));
        return pae;
    }

    public static string Serialize(string payloadType, ReadOnlySpan<byte> payload, string keyId, ReadOnlySpan<byte> signature)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("payloadType", payloadType);
            writer.WriteString("payload", Convert.ToBase64String(payload));
            writer.WriteStartArray("signatures");
            writer.WriteStartObject();
            writer.WriteString("keyid", keyId);
            writer.WriteString("sig", Convert.ToBase64String(signature));
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses an envelope strictly: unknown members, duplicate members, bad base64 or an empty signature list fail.</summary>
    public static bool TryParse(string json, out DsseEnvelope envelope, out string error)
    {
        envelope = default!;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "The envelope is not a JSON object.";
                return false;
            }

            string? type = null;
            byte[]? payload = null;
            var signatures = new List<(string KeyId, byte[] Sig)>();
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "payloadType":
                        type = property.Value.GetString();
                        break;
                    case "payload":
                        payload = Convert.FromBase64String(property.Value.GetString() ?? "");
                        break;
                    case "signatures":
                        foreach (var s in property.Value.EnumerateArray())
                        {
                            signatures.Add((s.GetProperty("keyid").GetString() ?? "", Convert.FromBase64String(s.GetProperty("sig").GetString() ?? "")));
                        }

                        break;
                    default:
                        error = $"Unexpected envelope member '{property.Name}'.";
                        return false;
                }
            }

            if (type is null || payload is null || signatures.Count == 0)
            {
                error = "The envelope lacks payloadType, payload or signatures.";
                return false;
            }

            envelope = new DsseEnvelope(type, payload, signatures);
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            error = "The envelope is not valid DSSE JSON.";
            return false;
        }
    }
}

internal sealed record DsseEnvelope(string PayloadType, byte[] Payload, IReadOnlyList<(string KeyId, byte[] Sig)> Signatures);
