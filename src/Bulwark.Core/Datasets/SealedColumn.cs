using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Datasets;

/// <summary>
/// Encryption at rest for text columns that carry values derived from classified data (dataset schemas with their
/// category sets and statistics, model feature schemas, signed manifests). The column holds
/// <c>"bwe1:" + base64(envelope)</c>; the envelope's associated data binds it to the row id and a purpose, so a value
/// copied onto another row, or into another column, fails authentication instead of decrypting.
/// </summary>
internal static class SealedColumn
{
    public const string Prefix = "bwe1:";
    public const string DatasetSchemaPurpose = "dataset-schema";
    public const string FeatureSchemaPurpose = "model-feature-schema";
    public const string ManifestPurpose = "model-manifest";

    // Plaintext with invalid UTF-8 cannot come out of an authenticated envelope we wrote; refuse rather than substitute.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Seal(EnvelopeEncryption envelope, string text, Guid id, string purpose) =>
        Prefix + Convert.ToBase64String(envelope.Encrypt(StrictUtf8.GetBytes(text), id.ToString("N"), purpose));

    /// <exception cref="CryptographicException">
    /// The column is not sealed (plaintext is refused: it was written outside Bulwark), is malformed, or was made for
    /// another row or purpose, or was altered.
    /// </exception>
    public static string Open(EnvelopeEncryption envelope, string stored, Guid id, string purpose)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new CryptographicException("The column is not sealed.");
        }

        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(stored[Prefix.Length..]);
        }
        catch (FormatException ex)
        {
            throw new CryptographicException("The sealed column is not valid base64.", ex);
        }

        var plain = envelope.Decrypt(sealedBytes, id.ToString("N"), purpose);
        try
        {
            return StrictUtf8.GetString(plain);
        }
        catch (DecoderFallbackException ex)
        {
            throw new CryptographicException("The sealed column does not hold UTF-8 text.", ex);
        }
    }

    /// <summary>Like <see cref="Open"/>, but reports failure as <see langword="false"/>.</summary>
    public static bool TryOpen(EnvelopeEncryption envelope, string stored, Guid id, string purpose, out string text)
    {
        try
        {
            text = Open(envelope, stored, id, purpose);
            return true;
        }
        catch (CryptographicException)
        {
            text = "";
            return false;
        }
    }
}
