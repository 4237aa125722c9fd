using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Incidents.Evidence;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Incidents.Evidence;

/// <summary>
/// Decompression bombs against <c>bulwark evidence verify</c>: a bundle of a few megabytes must be refused before it is
/// inflated, with a clear reason, and without the verifier allocating more than a small, fixed amount of memory.
/// Measured as bytes allocated during the call, so these run outside the parallel tests.
/// </summary>
[Collection(MemoryMeasuringCollection.Name)]
public sealed class EvidenceBundleVerifierTests
{
    private const long Mebibyte = 1024 * 1024;

    /// <summary>Far below what any of these bundles would cost if inflated into memory (hundreds of MiB to GiB); verifying takes under 100 KiB.</summary>
    private const long AllocationBudget = 8 * Mebibyte;

    private static readonly IReadOnlyDictionary<string, byte[]> NoKeys = new Dictionary<string, byte[]>(StringComparer.Ordinal);

    [Fact]
    public async Task Verify_HighRatioBomb_RefusedBeforeInflating_WithBoundedMemory()
    {
        // Five entries of 512 MiB of zeros each: about 2.5 MiB of zip.
        var bundle = Zip([.. EvidenceBundleFormat.AllFiles.Select(name => new Entry(name, Zeros: 512 * Mebibyte))]);
        Assert.True(bundle.Length < 16 * Mebibyte);

        var (report, allocated) = await VerifyMeasuredAsync(bundle, NoKeys);

        Assert.False(report.Valid);
        Assert.Contains("too large", report.Reason, StringComparison.Ordinal);
        Assert.True(allocated < AllocationBudget, $"verifying allocated {allocated / 1024} KiB");
    }

    [Fact]
    public async Task Verify_OneEntryOverTheTotalCap_RefusedBeforeInflating()
    {
        var bundle = Zip(
        [
            new Entry(EvidenceBundleFormat.Audit, Zeros: 300 * Mebibyte),
            new Entry(EvidenceBundleFormat.Incident, Text: "{}"),
            new Entry(EvidenceBundleFormat.Artifacts, Text: "{}"),
            new Entry(EvidenceBundleFormat.Manifest, Text: "{}"),
            new Entry(EvidenceBundleFormat.Signature, Text: "{}"),
        ]);

        var (report, allocated) = await VerifyMeasuredAsync(bundle, NoKeys);

        Assert.False(report.Valid);
        Assert.Contains("audit.jsonl", report.Reason, StringComparison.Ordinal);
        Assert.Contains("too large", report.Reason, StringComparison.Ordinal);
        Assert.True(allocated < AllocationBudget, $"verifying allocated {allocated / 1024} KiB");
    }

    [Fact]
    public async Task Verify_SignatureEntryOverItsSmallCap_Refused()
    {
        var bundle = Zip(
        [
            new Entry(EvidenceBundleFormat.Audit, Text: ""),
            new Entry(EvidenceBundleFormat.Incident, Text: "{}"),
            new Entry(EvidenceBundleFormat.Artifacts, Text: "{}"),
            new Entry(EvidenceBundleFormat.Manifest, Text: "{}"),
            new Entry(EvidenceBundleFormat.Signature, Zeros: 64 * Mebibyte),
        ]);

        var (report, allocated) = await VerifyMeasuredAsync(bundle, NoKeys);

        Assert.False(report.Valid);
        Assert.Contains("manifest.dsse.json", report.Reason, StringComparison.Ordinal);
        Assert.True(allocated < AllocationBudget, $"verifying allocated {allocated / 1024} KiB");
    }

    [Fact]
    public async Task Verify_EntryDeclaringLessThanItHolds_RefusedWithinItsCap()
    {
        // The central directory and local header say 2 bytes; the deflate stream holds 64 MiB.
        var bundle = Zip(
        [
            new Entry(EvidenceBundleFormat.Audit, Text: ""),
            new Entry(EvidenceBundleFormat.Incident, Text: "{}"),
            new Entry(EvidenceBundleFormat.Artifacts, Text: "{}"),
            new Entry(EvidenceBundleFormat.Manifest, Zeros: 64 * Mebibyte),
            new Entry(EvidenceBundleFormat.Signature, Text: "{}"),
        ]);
        DeclareSize(bundle, EvidenceBundleFormat.Manifest, 2);

        var (report, allocated) = await VerifyMeasuredAsync(bundle, NoKeys);

        // The runtime's zip reader stops at the declared length (the verifier's own per-entry cap is the second line).
        Assert.False(report.Valid);
        Assert.False(string.IsNullOrEmpty(report.Reason));
        Assert.True(allocated < AllocationBudget, $"verifying allocated {allocated / 1024} KiB");
    }

    [Fact]
    public async Task Verify_GenuineSignatureWithASwappedHugeAuditSlice_RefusedBeforeInflatingIt()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var keys = env.Services.GetRequiredService<AuditKeyStore>().Current;
        var trusted = keys.Trusted.ToDictionary(k => k.Key, k => k.Value.SubjectPublicKeyInfo, StringComparer.Ordinal);

        // A real, signed manifest of a small bundle; the attacker keeps manifest and signature and swaps in 200 MiB.
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [EvidenceBundleFormat.Incident] = "{\"incident\":7}"u8.ToArray(),
            [EvidenceBundleFormat.Audit] = [],
            [EvidenceBundleFormat.Artifacts] = "{\"modelVersions\":[]}"u8.ToArray(),
        };
        var manifest = Manifest(files, withSizes: true);
        var signature = keys.Sign(EvidenceBundleFormat.PayloadType, manifest);
        var genuine = Zip([.. files.Select(f => new Entry(f.Key, Bytes: f.Value)), new Entry(EvidenceBundleFormat.Manifest, Bytes: manifest),
            new Entry(EvidenceBundleFormat.Signature, Text: signature)]);
        Assert.True((await EvidenceBundleVerifier.VerifyAsync(new MemoryStream(genuine), trusted)).Valid);

        var swapped = Zip([new Entry(EvidenceBundleFormat.Incident, Bytes: files[EvidenceBundleFormat.Incident]),
            new Entry(EvidenceBundleFormat.Audit, Zeros: 200 * Mebibyte), new Entry(EvidenceBundleFormat.Artifacts, Bytes: files[EvidenceBundleFormat.Artifacts]),
            new Entry(EvidenceBundleFormat.Manifest, Bytes: manifest), new Entry(EvidenceBundleFormat.Signature, Text: signature)]);

        var (report, allocated) = await VerifyMeasuredAsync(swapped, trusted);

        Assert.False(report.Valid);
        Assert.Contains("audit.jsonl", report.Reason, StringComparison.Ordinal);
        Assert.True(allocated < AllocationBudget, $"verifying allocated {allocated / 1024} KiB");
    }

    [Fact]
    public async Task Verify_BundleWithoutSignedSizes_StillVerifies_AndATamperedFileStillFails()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var keys = env.Services.GetRequiredService<AuditKeyStore>().Current;
        var trusted = keys.Trusted.ToDictionary(k => k.Key, k => k.Value.SubjectPublicKeyInfo, StringComparer.Ordinal);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [EvidenceBundleFormat.Incident] = "{\"incident\":7}"u8.ToArray(),
            [EvidenceBundleFormat.Audit] = [],
            [EvidenceBundleFormat.Artifacts] = "{\"modelVersions\":[]}"u8.ToArray(),
        };
        var manifest = Manifest(files, withSizes: false);
        var signature = keys.Sign(EvidenceBundleFormat.PayloadType, manifest);
        Entry[] Bundle(byte[] incident) => [new Entry(EvidenceBundleFormat.Incident, Bytes: incident), new Entry(EvidenceBundleFormat.Audit, Bytes: []),
            new Entry(EvidenceBundleFormat.Artifacts, Bytes: files[EvidenceBundleFormat.Artifacts]), new Entry(EvidenceBundleFormat.Manifest, Bytes: manifest),
            new Entry(EvidenceBundleFormat.Signature, Text: signature)];

        var report = await EvidenceBundleVerifier.VerifyAsync(new MemoryStream(Zip(Bundle(files[EvidenceBundleFormat.Incident]))), trusted);
        Assert.True(report.Valid, report.Reason);
        Assert.Equal(7, report.Incident);

        var tampered = await EvidenceBundleVerifier.VerifyAsync(new MemoryStream(Zip(Bundle("{\"incident\":8}"u8.ToArray()))), trusted);
        Assert.False(tampered.Valid);
        Assert.Contains("incident.json", tampered.Reason, StringComparison.Ordinal);
    }

    private static async Task<(EvidenceReport Report, long Allocated)> VerifyMeasuredAsync(byte[] bundle, IReadOnlyDictionary<string, byte[]> trusted)
    {
        using var stream = new MemoryStream(bundle, writable: false);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var report = await EvidenceBundleVerifier.VerifyAsync(stream, trusted);
        return (report, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    private static byte[] Manifest(Dictionary<string, byte[]> files, bool withSizes)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", EvidenceBundleFormat.ManifestType);
            w.WriteNumber("incident", 7);
            w.WriteStartObject("files");
            foreach (var name in EvidenceBundleFormat.CoveredFiles)
            {
                w.WriteString(name, Convert.ToHexStringLower(SHA256.HashData(files[name])));
            }

            w.WriteEndObject();
            if (withSizes)
            {
                w.WriteStartObject("sizes");
                foreach (var name in EvidenceBundleFormat.CoveredFiles)
                {
                    w.WriteNumber(name, files[name].Length);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private sealed record Entry(string Name, long Zeros = 0, string? Text = null, byte[]? Bytes = null);

    private static byte[] Zip(IEnumerable<Entry> entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var zeros = new byte[Mebibyte];
            foreach (var entry in entries)
            {
                using var stream = zip.CreateEntry(entry.Name, CompressionLevel.SmallestSize).Open();
                stream.Write(entry.Bytes ?? Encoding.UTF8.GetBytes(entry.Text ?? ""));
                for (var left = entry.Zeros; left > 0; left -= zeros.Length)
                {
                    stream.Write(zeros, 0, (int)Math.Min(left, zeros.Length));
                }
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Rewrites the uncompressed size an entry declares, in its central directory record and its local header.</summary>
    private static void DeclareSize(byte[] zip, string name, uint size)
    {
        var end = zip.AsSpan().LastIndexOf([(byte)0x50, (byte)0x4b, (byte)0x05, (byte)0x06]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(end + 10));
        var offset = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(end + 16));
        for (var i = 0; i < count; i++)
        {
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(offset + 28));
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(offset + 30));
            var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(offset + 32));
            if (Encoding.UTF8.GetString(zip, offset + 46, nameLength) == name)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(offset + 24), size);
                var local = (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(offset + 42));
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(local + 22), size);
                return;
            }

            offset += 46 + nameLength + extraLength + commentLength;
        }

        throw new InvalidOperationException("no such entry: " + name);
    }
}
