using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Evidence;

/// <summary>
/// Verifies an evidence bundle offline with the audit public keys the verifier trusts: the manifest signature, every
/// file against its signed digest, exactly the expected entries (nothing missing, nothing added), and the audit slice
/// link by link with its own signed statement and checkpoints.
/// </summary>
internal static class EvidenceBundleVerifier
{
    public static async Task<EvidenceReport> VerifyAsync(Stream bundle, IReadOnlyDictionary<string, byte[]> trustedKeys, CancellationToken ct = default)
    {
        Dictionary<string, byte[]> files;
        try
        {
            files = await ReadAsync(bundle, ct);
        }
        catch (InvalidDataException ex)
        {
            return EvidenceReport.Fail("the bundle is not a valid zip archive: " + ex.Message);
        }

        if (files.Keys.Except(EvidenceBundleFormat.AllFiles).FirstOrDefault() is { } extra)
        {
            return EvidenceReport.Fail($"unexpected entry '{Sanitize(extra)}'");
        }

        if (EvidenceBundleFormat.AllFiles.FirstOrDefault(f => !files.ContainsKey(f)) is { } missing)
        {
            return EvidenceReport.Fail($"missing entry '{missing}'");
        }

        if (!SignedDocument.TryVerify(Encoding.UTF8.GetString(files[EvidenceBundleFormat.Signature]), EvidenceBundleFormat.PayloadType, trustedKeys,
            out var payload, out var keyId, out var error))
        {
            return EvidenceReport.Fail("the manifest signature does not verify: " + error);
        }

        if (!payload.AsSpan().SequenceEqual(files[EvidenceBundleFormat.Manifest]))
        {
            return EvidenceReport.Fail("manifest.json differs from the signed manifest");
        }

        int incident;
        using (var manifest = JsonDocument.Parse(payload))
        {
            var root = manifest.RootElement;
            if (root.GetProperty("type").GetString() != EvidenceBundleFormat.ManifestType)
            {
                return EvidenceReport.Fail("the signed document is not an evidence manifest");
            }

            incident = root.GetProperty("incident").GetInt32();
            var digests = root.GetProperty("files");
            foreach (var name in EvidenceBundleFormat.CoveredFiles)
            {
                var expected = digests.TryGetProperty(name, out var d) ? d.GetString() : null;
                var actual = Convert.ToHexStringLower(SHA256.HashData(files[name]));
                if (!string.Equals(expected, actual, StringComparison.Ordinal))
                {
                    return EvidenceReport.Fail($"{name} does not match its signed digest");
                }
            }
        }

        var audit = files[EvidenceBundleFormat.Audit].Length == 0
            ? null
            : await AuditExportVerifier.VerifyAsync(new StringReader(Encoding.UTF8.GetString(files[EvidenceBundleFormat.Audit])), trustedKeys, ct);
        if (audit is { Valid: false })
        {
            return EvidenceReport.Fail($"the audit slice is broken at sequence {audit.FirstBrokenSequence}: {audit.Reason}") with { Incident = incident };
        }

        return new EvidenceReport(true, null, incident, keyId, audit?.EventsVerified ?? 0, audit?.CheckpointsVerified ?? 0);
    }

    private static async Task<Dictionary<string, byte[]>> ReadAsync(Stream bundle, CancellationToken ct)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using var zip = new ZipArchive(bundle, ZipArchiveMode.Read, leaveOpen: true);
        if (zip.Entries.Count > EvidenceBundleFormat.AllFiles.Count + 4)
        {
            throw new InvalidDataException("too many entries");
        }

        foreach (var entry in zip.Entries)
        {
            if (files.ContainsKey(entry.FullName))
            {
                throw new InvalidDataException($"duplicate entry '{Sanitize(entry.FullName)}'");
            }

            if (!EvidenceBundleFormat.AllFiles.Contains(entry.FullName))
            {
                files[entry.FullName] = [];
                continue;
            }

            if (entry.Length > EvidenceBundleFormat.MaxEntryBytes)
            {
                throw new InvalidDataException($"entry '{entry.FullName}' is too large");
            }

            // The declared length can lie: read at most the cap and refuse anything longer.
            await using var stream = await entry.OpenAsync(ct);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > EvidenceBundleFormat.MaxEntryBytes)
                {
                    throw new InvalidDataException($"entry '{entry.FullName}' is too large");
                }

                buffer.Write(chunk, 0, read);
            }

            files[entry.FullName] = buffer.ToArray();
        }

        return files;
    }

    private static string Sanitize(string name) => new([.. name.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}

/// <summary>The outcome of verifying an evidence bundle.</summary>
internal sealed record EvidenceReport(bool Valid, string? Reason, int? Incident, string? SignedBy, long AuditEventsVerified, int AuditCheckpointsVerified)
{
    public static EvidenceReport Fail(string reason) => new(false, reason, null, null, 0, 0);
}
