using System.Text.Json;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Monitoring;

/// <summary>What a captured prediction holds once opened: the exact request body and each row's served output.</summary>
/// <param name="Outputs">Per row: the label (classification) or the value as invariant text (regression).</param>
internal sealed record CapturePayload(byte[] Body, IReadOnlyList<string> Outputs)
{
    public const string Purpose = "captured-prediction";

    public byte[] Seal(EnvelopeEncryption sealer, Guid id) =>
        sealer.Encrypt(JsonSerializer.SerializeToUtf8Bytes(this), id.ToString("N"), Purpose);

    /// <exception cref="System.Security.Cryptography.CryptographicException">Altered, or sealed for another capture.</exception>
    public static CapturePayload Open(EnvelopeEncryption sealer, CapturedPrediction row) =>
        JsonSerializer.Deserialize<CapturePayload>(sealer.Decrypt(row.Payload, row.Id.ToString("N"), Purpose))
        ?? throw new System.Security.Cryptography.CryptographicException("Empty capture payload.");
}
