using System.Text.Json;

namespace Bulwark.Core.Incidents.Evidence;

/// <summary>The parts of a signed evidence manifest the verifier uses; <see cref="Sizes"/> is empty for bundles signed before sizes were added.</summary>
internal sealed record EvidenceManifest(int Incident, IReadOnlyDictionary<string, string?> Digests, IReadOnlyDictionary<string, long> Sizes)
{
    public static EvidenceManifest? TryParse(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.GetProperty("type").GetString() != EvidenceBundleFormat.ManifestType)
            {
                return null;
            }

            var files = root.GetProperty("files");
            var digests = EvidenceBundleFormat.CoveredFiles.ToDictionary(n => n, n => files.TryGetProperty(n, out var d) ? d.GetString() : null, StringComparer.Ordinal);
            var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
            if (root.TryGetProperty("sizes", out var signedSizes))
            {
                foreach (var name in EvidenceBundleFormat.CoveredFiles)
                {
                    sizes[name] = signedSizes.GetProperty(name).GetInt64();
                }
            }

            return new EvidenceManifest(root.GetProperty("incident").GetInt32(), digests, sizes);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
