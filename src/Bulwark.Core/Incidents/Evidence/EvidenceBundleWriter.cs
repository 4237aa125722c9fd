using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Incidents.Evidence;

/// <summary>
/// Writes an incident's evidence bundle: its record (timeline, checklist, deadlines), the audit slice from its first
/// linked event to the current head with checkpoint proofs, and the digests of the model artifacts it concerns, all
/// covered by a manifest signed with the audit key. Verifiable offline with the audit public key alone.
/// </summary>
internal sealed class EvidenceBundleWriter(BulwarkDbContext db, AuditExporter exporter, AuditKeyStore keys, EnvelopeEncryption sealer, TimeProvider time)
{
    public async Task WriteAsync(Stream output, Incident incident, byte[] incidentJson, IReadOnlyList<long> linkedEvents, string actor, string? client,
        CancellationToken ct)
    {
        var first = linkedEvents.Count > 0 ? linkedEvents.Min() : await FirstEventOfAsync(incident, ct);
        var range = await exporter.PlanAsync(Math.Max(1, first), null, actor, client, ct);
        byte[] auditSlice;
        using (var buffer = new MemoryStream())
        {
            if (range is not null)
            {
                await exporter.WriteAsync(buffer, range, ct);
            }

            auditSlice = buffer.ToArray();
        }

        var artifacts = await ArtifactsAsync(incident, linkedEvents, ct);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [EvidenceBundleFormat.Incident] = incidentJson,
            [EvidenceBundleFormat.Audit] = auditSlice,
            [EvidenceBundleFormat.Artifacts] = artifacts,
        };

        var manifest = Manifest(incident, files);
        var envelope = keys.Current.Sign(EvidenceBundleFormat.PayloadType, manifest);
        await using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var name in EvidenceBundleFormat.CoveredFiles)
        {
            await AddAsync(zip, name, files[name], ct);
        }

        await AddAsync(zip, EvidenceBundleFormat.Manifest, manifest, ct);
        await AddAsync(zip, EvidenceBundleFormat.Signature, System.Text.Encoding.UTF8.GetBytes(envelope), ct);
    }

    private byte[] Manifest(Incident incident, Dictionary<string, byte[]> files)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", EvidenceBundleFormat.ManifestType);
            w.WriteNumber("incident", incident.Number);
            w.WriteString("incidentId", incident.Id.ToString("D"));
            w.WriteNumber("createdAt", time.GetUtcNow().ToUnixTimeMilliseconds());
            w.WriteStartObject("files");
            foreach (var name in EvidenceBundleFormat.CoveredFiles)
            {
                w.WriteString(name, Convert.ToHexStringLower(SHA256.HashData(files[name])));
            }

            w.WriteEndObject();

            // Signed lengths let a verifier refuse a swapped, oversized file before inflating it.
            w.WriteStartObject("sizes");
            foreach (var name in EvidenceBundleFormat.CoveredFiles)
            {
                w.WriteNumber(name, files[name].Length);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private async Task<long> FirstEventOfAsync(Incident incident, CancellationToken ct)
    {
        var resource = "incident/" + incident.Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await db.AuditEvents.AsNoTracking().Where(e => e.Resource == resource).MinAsync(e => (long?)e.Sequence, ct) ?? 1;
    }

    /// <summary>The signed digests of every model version the incident's linked events name (<c>model/&lt;name&gt;/&lt;version&gt;</c>).</summary>
    private async Task<byte[]> ArtifactsAsync(Incident incident, IReadOnlyList<long> linkedEvents, CancellationToken ct)
    {
        var linked = linkedEvents.ToList();
        var resources = await db.AuditEvents.AsNoTracking().Where(e => linked.Contains(e.Sequence) && e.Resource.StartsWith("model/"))
            .Select(e => new { e.Resource, e.ProjectId }).Distinct().ToListAsync(ct);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("incident", incident.Number);
            w.WriteStartArray("modelVersions");
            foreach (var r in resources)
            {
                var parts = r.Resource.Split('/');
                if (parts.Length != 3 || !int.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var version))
                {
                    continue;
                }

                var row = await db.ModelVersions.IgnoreQueryFilters().AsNoTracking()
                    .FirstOrDefaultAsync(v => v.ProjectId == r.ProjectId && v.ModelName == parts[1] && v.Version == version, ct);
                if (row is null)
                {
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("project", row.ProjectId);
                w.WriteString("model", row.ModelName);
                w.WriteNumber("version", row.Version);
                w.WriteString("stage", ModelRegistry.Name(row.Stage));
                w.WriteString("manifestDigest", row.ManifestDigest);
                w.WriteStartArray("files");
                foreach (var file in SignedFiles(row))
                {
                    w.WriteStartObject();
                    w.WriteString("name", file.Name);
                    w.WriteString("sha256", file.Sha256);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The file digests the version's signed manifest names (what the artifacts must hash to), or none if it does not open.</summary>
    private IReadOnlyList<ManifestResource> SignedFiles(ModelVersion row)
    {
        try
        {
            var envelope = ModelVersionView.ManifestEnvelope(sealer, row);
            return Dsse.TryParse(envelope, out var parsed, out _) && ModelManifest.TryParse(parsed.Payload, out var manifest, out _) ? manifest.Resources : [];
        }
        catch (CryptographicException)
        {
            return [];
        }
    }

    private static async Task AddAsync(ZipArchive zip, string name, byte[] bytes, CancellationToken ct)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        await using var stream = await entry.OpenAsync(ct);
        await stream.WriteAsync(bytes, ct);
    }
}
