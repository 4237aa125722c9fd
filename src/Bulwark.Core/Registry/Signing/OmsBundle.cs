using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Registry;

/// <summary>
/// An OpenSSF model-signing (OMS) v1.0 signature file for key-based signing: a Sigstore bundle v0.3 (JSON form of
/// sigstore_bundle.proto) holding a DSSE envelope over the in-toto statement and, as verification material, only a
/// public-key hint. The hint is not authenticated; it selects the key, and the signature must still verify under a key
/// the verifier already trusts.
/// </summary>
/// <remarks>
/// Parsing is strict: another media type, certificate or transparency-log material (which Bulwark does not check), an
/// unknown member, a duplicate member, a missing field or truncated JSON is an error naming what is wrong, never a
/// partial bundle. The hint is what the reference implementation (sigstore/model-transparency, elliptic-key signer)
/// writes: lowercase hex SHA-256 of the key's PEM SubjectPublicKeyInfo, trailing newline included. Bulwark's own key id
/// (SHA-256 of the DER SubjectPublicKeyInfo) is accepted as a hint too.
/// </remarks>
internal sealed record OmsBundle(string PublicKeyHint, DsseEnvelope Envelope)
{
    public const string MediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";

    /// <summary>Largest bundle accepted (a statement over tens of thousands of files fits).</summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    /// <summary>The OMS public-key hint: hex SHA-256 of the PEM encoding as the reference tool writes it.</summary>
    public static string HintOf(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(PemEncoding.WriteString("PUBLIC KEY", subjectPublicKeyInfo) + "\n")));

    /// <summary>Does <see cref="PublicKeyHint"/> name this key (OMS hint or Bulwark key id)?</summary>
    public bool Names(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        string.Equals(PublicKeyHint, HintOf(subjectPublicKeyInfo), StringComparison.Ordinal)
        || string.Equals(PublicKeyHint, EcdsaP256.KeyIdOf(subjectPublicKeyInfo), StringComparison.Ordinal);

    /// <summary>Wraps a DSSE envelope signed by <paramref name="subjectPublicKeyInfo"/> as an OMS bundle (JSON).</summary>
    public static string Serialize(DsseEnvelope envelope, ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        using var buffer = new MemoryStream();
        // Every value is ASCII (media type, hex, base64): the relaxed encoder only stops '+' becoming "\u002B", so the
        // file reads like the reference tool's output. Control characters are still escaped.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("mediaType", MediaType);
            w.WriteStartObject("verificationMaterial");
            w.WriteStartObject("publicKey");
            w.WriteString("hint", HintOf(subjectPublicKeyInfo));
            w.WriteEndObject();
            w.WriteStartArray("tlogEntries");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("dsseEnvelope");
            w.WriteString("payload", Convert.ToBase64String(envelope.Payload));
            w.WriteString("payloadType", envelope.PayloadType);
            w.WriteStartArray("signatures");
            foreach (var (keyId, sig) in envelope.Signatures)
            {
                w.WriteStartObject();
                w.WriteString("sig", Convert.ToBase64String(sig));
                w.WriteString("keyid", keyId);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static bool TryParse(string json, out OmsBundle bundle, out string error) => TryParse(Encoding.UTF8.GetBytes(json), out bundle, out error);

    /// <summary>Parses UTF-8 bundle JSON strictly (see the remarks on <see cref="OmsBundle"/>).</summary>
    public static bool TryParse(byte[] utf8, out OmsBundle bundle, out string error)
    {
        bundle = default!;
        if (utf8.Length == 0 || utf8.Length > MaxBytes)
        {
            error = utf8.Length == 0 ? "The signature bundle is empty." : $"The signature bundle is larger than {MaxBytes} bytes.";
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            return TryRead(doc.RootElement, out bundle, out error);
        }
        catch (JsonException)
        {
            error = "The signature bundle is not valid JSON (truncated or malformed).";
            return false;
        }
        catch (ArgumentException)
        {
            error = "The signature bundle is not valid UTF-8 JSON.";
            return false;
        }
    }

    private static bool TryRead(JsonElement root, out OmsBundle bundle, out string error)
    {
        bundle = default!;
        if (!Members(root, "bundle", out error, ["mediaType", "verificationMaterial", "dsseEnvelope"], ["mediaType", "verificationMaterial", "dsseEnvelope"]))
        {
            return false;
        }

        var mediaType = root.GetProperty("mediaType");
        if (mediaType.ValueKind != JsonValueKind.String || mediaType.GetString() != MediaType)
        {
            error = $"Unsupported bundle media type {Quote(mediaType)}; expected \"{MediaType}\" (OpenSSF model signing v1.0).";
            return false;
        }

        if (!TryReadHint(root.GetProperty("verificationMaterial"), out var hint, out error)
            || !TryReadEnvelope(root.GetProperty("dsseEnvelope"), out var envelope, out error))
        {
            return false;
        }

        bundle = new OmsBundle(hint, envelope);
        return true;
    }

    private static bool TryReadHint(JsonElement material, out string hint, out string error)
    {
        hint = "";
        if (!Members(material, "verificationMaterial", out error, ["publicKey", "tlogEntries"], ["publicKey"]))
        {
            error += " Only key-based bundles are supported (no certificates, no timestamps).";
            return false;
        }

        if (material.TryGetProperty("tlogEntries", out var tlog) && (tlog.ValueKind != JsonValueKind.Array || tlog.GetArrayLength() != 0))
        {
            error = "The bundle carries transparency-log entries; Bulwark verifies key-based bundles offline and checks no log.";
            return false;
        }

        var publicKey = material.GetProperty("publicKey");
        if (!Members(publicKey, "publicKey", out error, ["hint"], ["hint"]))
        {
            return false;
        }

        var value = publicKey.GetProperty("hint");
        hint = value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        if (hint.Length != 64 || !hint.All(char.IsAsciiHexDigitLower))
        {
            error = "The public-key hint must be 64 lowercase hex characters (SHA-256 of the signing key).";
            return false;
        }

        return true;
    }

    private static bool TryReadEnvelope(JsonElement element, out DsseEnvelope envelope, out string error)
    {
        envelope = default!;
        if (!Members(element, "dsseEnvelope", out error, ["payload", "payloadType", "signatures"], ["payload", "payloadType", "signatures"]))
        {
            return false;
        }

        var type = element.GetProperty("payloadType");
        var signatures = element.GetProperty("signatures");
        if (type.ValueKind != JsonValueKind.String || signatures.ValueKind != JsonValueKind.Array || signatures.GetArrayLength() != 1)
        {
            error = "The DSSE envelope needs a payloadType string and exactly one signature.";
            return false;
        }

        var signature = signatures[0];
        if (!Members(signature, "signature", out error, ["sig", "keyid"], ["sig"]))
        {
            return false;
        }

        var keyId = signature.TryGetProperty("keyid", out var id) ? id : default;
        if (keyId.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.String))
        {
            error = "The signature's keyid must be a string.";
            return false;
        }

        if (!TryBase64(element.GetProperty("payload"), out var payload) || payload.Length == 0 || !TryBase64(signature.GetProperty("sig"), out var sig) || sig.Length == 0)
        {
            error = "The DSSE payload or signature is missing or not base64.";
            return false;
        }

        envelope = new DsseEnvelope(type.GetString()!, payload, [(keyId.ValueKind == JsonValueKind.String ? keyId.GetString()! : "", sig)]);
        return true;
    }

    /// <summary>The object has only <paramref name="allowed"/> members and all of <paramref name="required"/>.</summary>
    private static bool Members(JsonElement element, string what, out string error, string[] allowed, string[] required)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = $"The {what} is not a JSON object.";
            return false;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(allowed, property.Name) < 0)
            {
                error = $"Unexpected member '{Printable(property.Name)}' in the {what}.";
                return false;
            }
        }

        foreach (var name in required)
        {
            if (!element.TryGetProperty(name, out _))
            {
                error = $"The {what} lacks '{name}'.";
                return false;
            }
        }

        error = "";
        return true;
    }

    private static bool TryBase64(JsonElement value, out byte[] bytes)
    {
        bytes = [];
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(value.GetString()!);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Quote(JsonElement value) => value.ValueKind == JsonValueKind.String ? $"\"{Printable(value.GetString()!)}\"" : value.ValueKind.ToString();

    private static string Printable(string text) => new([.. text.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
}
