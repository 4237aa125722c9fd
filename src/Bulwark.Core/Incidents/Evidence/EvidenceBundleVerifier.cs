using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Audit;

namespace Bulwark.Core.Incidents.Evidence;

/// <summary>
/// Verifies an evidence bundle offline with the audit public keys the verifier trusts: the manifest signature, every
/// file against its signed digest, exactly the expected entries (nothing missing, nothing added), and the audit slice
/// link by link with its own signed statement and checkpoints.
/// </summary>
/// <remarks>
/// A bundle is untrusted input until its signature verifies, and a zip is a decompression bomb waiting to happen (a few
/// megabytes inflate to gigabytes). So nothing is inflated before every declared size is within its cap (manifest and
/// signature small, the whole bundle <see cref="EvidenceBundleFormat.MaxBundleBytes"/>); the signature is checked first,
/// from the two small entries alone; and the covered files are hashed as they stream, never held in memory, each cut off
/// at the size the signed manifest gives it (or what is left of the total cap, for bundles signed before sizes were).
/// </remarks>
internal static class EvidenceBundleVerifier
{
    public static async Task<EvidenceReport> VerifyAsync(Stream bundle, IReadOnlyDictionary<string, byte[]> trustedKeys, CancellationToken ct = default)
    {
        try
        {
            if (!bundle.CanSeek)
            {
                // ZipArchive would copy an unseekable stream into memory whole: do it here, bounded.
                var copy = new MemoryStream();
                await new BoundedReadStream(bundle, EvidenceBundleFormat.MaxBundleBytes, "bundle").CopyToAsync(copy, ct);
                copy.Position = 0;
                bundle = copy;
            }

            if (CheckDirectory(bundle) is { } refused)
            {
                return EvidenceReport.Fail(refused);
            }

            await using var zip = new ZipArchive(bundle, ZipArchiveMode.Read, leaveOpen: true);
            return await VerifyAsync(zip, trustedKeys, ct);
        }
        catch (EvidenceTooLargeException ex)
        {
            return EvidenceReport.Fail(ex.Message);
        }
        catch (InvalidDataException ex)
        {
            return EvidenceReport.Fail("the bundle is not a valid zip archive: " + ex.Message);
        }
    }

    private static async Task<EvidenceReport> VerifyAsync(ZipArchive zip, IReadOnlyDictionary<string, byte[]> trustedKeys, CancellationToken ct)
    {
        var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            if (!entries.TryAdd(entry.FullName, entry))
            {
                return EvidenceReport.Fail($"the bundle is not a valid zip archive: duplicate entry '{Sanitize(entry.FullName)}'");
            }
        }

        if (entries.Keys.Except(EvidenceBundleFormat.AllFiles).FirstOrDefault() is { } extra)
        {
            return EvidenceReport.Fail($"unexpected entry '{Sanitize(extra)}'");
        }

        if (EvidenceBundleFormat.AllFiles.FirstOrDefault(f => !entries.ContainsKey(f)) is { } missing)
        {
            return EvidenceReport.Fail($"missing entry '{missing}'");
        }

        // Declared sizes first: refused here, nothing has been inflated.
        foreach (var (name, entry) in entries)
        {
            var cap = name is EvidenceBundleFormat.Manifest or EvidenceBundleFormat.Signature ? EvidenceBundleFormat.MaxSignedPartBytes : EvidenceBundleFormat.MaxBundleBytes;
            if (entry.Length > cap)
            {
                return EvidenceReport.Fail($"entry '{name}' is too large: it declares {entry.Length} bytes, at most {cap} are read");
            }
        }

        var declared = entries.Values.Sum(e => e.Length);
        if (declared > EvidenceBundleFormat.MaxBundleBytes)
        {
            return EvidenceReport.Fail($"the bundle is too large: its entries declare {declared} bytes, at most {EvidenceBundleFormat.MaxBundleBytes} are read");
        }

        var signature = await ReadSmallAsync(entries[EvidenceBundleFormat.Signature], ct);
        var manifestBytes = await ReadSmallAsync(entries[EvidenceBundleFormat.Manifest], ct);
        if (!SignedDocument.TryVerify(Encoding.UTF8.GetString(signature), EvidenceBundleFormat.PayloadType, trustedKeys, out var payload, out var keyId, out var error))
        {
            return EvidenceReport.Fail("the manifest signature does not verify: " + error);
        }

        if (!payload.AsSpan().SequenceEqual(manifestBytes))
        {
            return EvidenceReport.Fail("manifest.json differs from the signed manifest");
        }

        if (EvidenceManifest.TryParse(payload) is not { } manifest)
        {
            return EvidenceReport.Fail("the signed document is not an evidence manifest");
        }

        // Signed sizes (bundles written since they were added) are checked against the declared ones before inflating.
        foreach (var (name, size) in manifest.Sizes)
        {
            if (entries[name].Length != size)
            {
                return EvidenceReport.Fail($"{name} declares {entries[name].Length} bytes; the signed manifest says {size}");
            }
        }

        var budget = EvidenceBundleFormat.MaxBundleBytes - signature.Length - manifestBytes.Length;
        long auditBytes = 0;
        foreach (var name in EvidenceBundleFormat.CoveredFiles)
        {
            var limit = manifest.Sizes.TryGetValue(name, out var signed) ? Math.Min(signed, budget) : budget;
            var (digest, length) = await HashAsync(entries[name], limit, ct);
            if (!string.Equals(manifest.Digests.GetValueOrDefault(name), digest, StringComparison.Ordinal))
            {
                return EvidenceReport.Fail($"{name} does not match its signed digest");
            }

            budget -= length;
            auditBytes = name == EvidenceBundleFormat.Audit ? length : auditBytes;
        }

        AuditExportReport? audit = null;
        if (auditBytes > 0)
        {
            // The slice now matches its signed digest: parse it, streaming (bounded again in case the file changes under us).
            await using var inflated = await entries[EvidenceBundleFormat.Audit].OpenAsync(ct);
            using var reader = new StreamReader(new BoundedReadStream(inflated, auditBytes, EvidenceBundleFormat.Audit), Encoding.UTF8);
            audit = await AuditExportVerifier.VerifyAsync(reader, trustedKeys, ct);
        }

        if (audit is { Valid: false })
        {
            return EvidenceReport.Fail($"the audit slice is broken at sequence {audit.FirstBrokenSequence}: {audit.Reason}") with { Incident = manifest.Incident };
        }

        return new EvidenceReport(true, null, manifest.Incident, keyId, audit?.EventsVerified ?? 0, audit?.CheckpointsVerified ?? 0);
    }

    /// <summary>
    /// Reads the end-of-central-directory record before <see cref="ZipArchive"/> does, so a directory of millions of
    /// entries is refused instead of loaded. ZIP64 is refused too: a bundle under the size cap never needs it.
    /// </summary>
    private static string? CheckDirectory(Stream bundle)
    {
        if (bundle.Length > EvidenceBundleFormat.MaxBundleBytes)
        {
            return $"the bundle is too large: {bundle.Length} bytes, at most {EvidenceBundleFormat.MaxBundleBytes} are read";
        }

        // PKWARE APPNOTE 4.3.16: 22 bytes, then a comment of up to 65,535.
        var tail = new byte[(int)Math.Min(bundle.Length, 22 + ushort.MaxValue)];
        bundle.Seek(-tail.Length, SeekOrigin.End);
        bundle.ReadExactly(tail);
        bundle.Position = 0;
        var at = tail.AsSpan().LastIndexOf([(byte)0x50, (byte)0x4b, (byte)0x05, (byte)0x06]);
        if (at < 0 || tail.Length - at < 22)
        {
            return null; // Not a zip: ZipArchive says so.
        }

        var entries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 10));
        var size = BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at + 12));
        return entries > EvidenceBundleFormat.AllFiles.Count + 4 || size > EvidenceBundleFormat.MaxDirectoryBytes
            ? $"the bundle is not a valid zip archive: its directory holds {entries} entries in {size} bytes; a bundle has {EvidenceBundleFormat.AllFiles.Count}"
            : null;
    }

    private static async Task<byte[]> ReadSmallAsync(ZipArchiveEntry entry, CancellationToken ct)
    {
        await using var inflated = await entry.OpenAsync(ct);
        using var buffer = new MemoryStream();
        await new BoundedReadStream(inflated, EvidenceBundleFormat.MaxSignedPartBytes, entry.FullName).CopyToAsync(buffer, ct);
        return buffer.ToArray();
    }

    private static async Task<(string Digest, long Length)> HashAsync(ZipArchiveEntry entry, long limit, CancellationToken ct)
    {
        await using var inflated = await entry.OpenAsync(ct);
        var stream = new BoundedReadStream(inflated, limit, entry.FullName);
        var digest = await SHA256.HashDataAsync(stream, ct);
        return (Convert.ToHexStringLower(digest), stream.BytesRead);
    }

    private static string Sanitize(string name) => new([.. name.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}
