using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Registry;

/// <summary>
/// Read helpers over a <see cref="ModelVersion"/> row for listings (the API's ModelVersionInfo). For display only:
/// serving uses the schema inside the verified, signed manifest, never these row copies.
/// </summary>
internal static class ModelVersionView
{
    public static string Stage(ModelVersion row) => ModelRegistry.Name(row.Stage);

    /// <summary>Decrypts the row's sealed feature schema.</summary>
    /// <exception cref="CryptographicException">The column was altered, copied from another row, or is not sealed.</exception>
    public static FeatureSchema Schema(EnvelopeEncryption envelope, ModelVersion row) =>
        FeatureSchema.FromJson(SealedColumn.Open(envelope, row.FeatureSchemaJson, row.Id, SealedColumn.FeatureSchemaPurpose));

    /// <summary>The row's feature schema, or <see langword="null"/> when the sealed column does not open or parse.</summary>
    public static FeatureSchema? TrySchema(EnvelopeEncryption envelope, ModelVersion row)
    {
        try
        {
            return Schema(envelope, row);
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Decrypts the row's sealed DSSE manifest envelope (the JSON that was signed and digested).</summary>
    /// <exception cref="CryptographicException">The column was altered, copied from another row, or is not sealed.</exception>
    public static string ManifestEnvelope(EnvelopeEncryption envelope, ModelVersion row) =>
        SealedColumn.Open(envelope, row.ManifestEnvelope, row.Id, SealedColumn.ManifestPurpose);

    /// <summary>
    /// The external signer recorded in the row's signed manifest, for display. The envelope is sealed to this row under
    /// the master key, so a database writer cannot put another signer here; loading re-checks the signature anyway.
    /// </summary>
    public static string? ExternalSigner(EnvelopeEncryption envelope, ModelVersion row)
    {
        try
        {
            return Dsse.TryParse(ManifestEnvelope(envelope, row), out var dsse, out _) && ModelManifest.TryParse(dsse.Payload, out var manifest, out _)
                ? manifest.Content.ExternalSigner
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public static IReadOnlyDictionary<string, double> Metrics(ModelVersion row) =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(row.MetricsJson) ?? [];
}
