using System.Text.Json;
using Bulwark.Core.Crypto;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// What a captured prediction holds once opened: the request body (with personal features pseudonymised, see
/// <see cref="Pseudonymised"/>) and each row's served output.
/// </summary>
/// <param name="Pseudonymised">
/// Features whose cells were replaced by keyed tokens before sealing (pii/phi columns of the training dataset and its
/// subject column); null or empty when none were. An empty <see cref="Body"/> with <see cref="BodyWithheld"/> means the
/// body could not be pseudonymised with certainty and was not kept.
/// </param>
internal sealed record CapturePayload(byte[] Body, IReadOnlyList<CapturedOutput> Outputs, IReadOnlyList<string>? Pseudonymised = null, bool BodyWithheld = false)
{
    public const string Purpose = "captured-prediction";

    public byte[] Seal(EnvelopeEncryption sealer, Guid id) =>
        sealer.Encrypt(JsonSerializer.SerializeToUtf8Bytes(this), id.ToString("N"), Purpose);

    /// <exception cref="System.Security.Cryptography.CryptographicException">Altered, or sealed for another capture.</exception>
    public static CapturePayload Open(EnvelopeEncryption sealer, CapturedPrediction row) =>
        JsonSerializer.Deserialize<CapturePayload>(sealer.Decrypt(row.Payload, row.Id.ToString("N"), Purpose))
        ?? throw new System.Security.Cryptography.CryptographicException("Empty capture payload.");
}

/// <summary>One row's output as the caller received it (hardened: label and rounded score, or the value).</summary>
internal sealed record CapturedOutput(string? Label, double? Score, double? Value)
{
    public static CapturedOutput Of(RowPrediction p) => new(p.Label, p.MonitoredScore ?? p.Score, p.Value);

    public RowPrediction ToPrediction() => new(Label, Score, Value);

    /// <summary>What feedback is compared with: the label, or the value in invariant text.</summary>
    public string Text => Label ?? Value?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? "";
}
