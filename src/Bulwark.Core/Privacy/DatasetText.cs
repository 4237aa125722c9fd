using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;

namespace Bulwark.Core.Privacy;

/// <summary>A dataset's stored rows as CSV text, decrypted and checked against the recorded digest.</summary>
internal static class DatasetText
{
    public static async Task<Outcome<string>> ReadAsync(ArtifactStore artifacts, Dataset dataset, CancellationToken ct)
    {
        byte[] bytes;
        try
        {
            bytes = await artifacts.GetAsync(DatasetImporter.ArtifactPurpose, dataset.StoredObjectId, ct);
        }
        catch (Exception ex) when (ex is CryptographicException or FileNotFoundException or DirectoryNotFoundException)
        {
            return PrivacyErrors.Erasure($"Dataset {dataset.Id} cannot be read (missing or failing authenticated decryption); nothing was changed. Restore it from backup.");
        }

        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(bytes)), dataset.ContentDigest, StringComparison.Ordinal))
        {
            return PrivacyErrors.Erasure($"Dataset {dataset.Id} does not match its recorded digest; nothing was changed. Restore it from backup.");
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return PrivacyErrors.Erasure($"Dataset {dataset.Id} is not UTF-8 text; nothing was changed.");
        }
    }
}
