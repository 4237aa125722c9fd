using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.IO.Compression;

namespace Bulwark.Core.Registry;

/// <summary>
/// Decides whether a zip upload is safe to look into, from its central directory only, before anything is inflated:
/// zip bombs (too many entries, too much declared data, an entry that expands more than <see cref="MaxRatio"/>:1) and
/// entry names that would escape an extraction folder ("..", absolute, drive letters, backslashes, NUL) are refused.
/// Zips inside the zip are inspected the same way to <see cref="MaxDepth"/> levels, read through a bounded buffer
/// because every declared size is attacker-controlled.
/// </summary>
/// <remarks>
/// Entry and size budgets are shared across nesting levels, so a bomb cannot be split into many small inner archives.
/// Problems are reported without echoing entry names: a name is attacker text and may be megabytes long.
/// </remarks>
internal static class ZipArchiveInspector
{
    /// <summary>Entries in the whole upload, nested archives included.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>Nesting levels inspected; a zip deeper than this is refused rather than skipped.</summary>
    public const int MaxDepth = 3;

    /// <summary>Highest uncompressed:compressed ratio allowed for an entry larger than <see cref="RatioFloorBytes"/>.</summary>
    public const long MaxRatio = 200;

    /// <summary>Small entries compress well by nature (empty files, padding); only larger ones are ratio-checked.</summary>
    public const long RatioFloorBytes = 1024 * 1024;

    /// <summary>Largest nested archive read into memory for inspection.</summary>
    public const int MaxNestedBytes = 64 * 1024 * 1024;

    private static ReadOnlySpan<byte> LocalHeader => "PK\x03\x04"u8;

    private static ReadOnlySpan<byte> EmptyArchive => "PK\x05\x06"u8;

    /// <summary>True when <paramref name="bytes"/> start with a zip signature.</summary>
    public static bool IsZip(ReadOnlySpan<byte> bytes) => bytes.StartsWith(LocalHeader) || bytes.StartsWith(EmptyArchive);

    /// <summary>
    /// Null when the archive is safe to open, otherwise why it is not. An archive .NET cannot parse is not judged here
    /// (the caller reports it as damaged, and it is refused as a non-ONNX file either way).
    /// </summary>
    /// <param name="maxExpandedBytes">Cap on the declared uncompressed size of all entries, nested ones included.</param>
    public static string? FindProblem(byte[] bytes, long maxExpandedBytes)
    {
        var budget = new Budget(maxExpandedBytes);
        return Inspect(bytes, 1, budget);
    }

    private static string? Inspect(byte[] bytes, int depth, Budget budget)
    {
        var where = depth == 1 ? "" : $" (in a nested archive, depth {depth})";
        if (DeclaredEntryCount(bytes) > (ulong)(MaxEntries - budget.Entries))
        {
            // Checked on the raw end record before .NET materialises one object per entry.
            return $"it holds more than {MaxEntries} entries{where}";
        }

        ZipArchive archive;
        ReadOnlyCollection<ZipArchiveEntry> entries;
        try
        {
            archive = new ZipArchive(new MemoryStream(bytes, writable: false), ZipArchiveMode.Read);
            entries = archive.Entries;
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
        {
            return depth == 1 ? null : $"a nested archive is damaged{where}";
        }

        using (archive)
        {
            var problem = CheckDirectory(entries, budget, where);
            if (problem is not null)
            {
                return problem;
            }

            for (var i = 0; i < entries.Count; i++)
            {
                try
                {
                    problem = InspectNested(entries[i], i + 1, depth, budget, where);
                }
                catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
                {
                    // An entry that cannot be read cannot be shown to be harmless.
                    problem = $"entry {i + 1} is damaged or inflates beyond its declared size{where}";
                }

                if (problem is not null)
                {
                    return problem;
                }
            }

            return null;
        }
    }

    // Central directory only: nothing is inflated here.
    private static string? CheckDirectory(ReadOnlyCollection<ZipArchiveEntry> entries, Budget budget, string where)
    {
        budget.Entries += entries.Count;
        if (budget.Entries > MaxEntries)
        {
            return $"it holds more than {MaxEntries} entries{where}";
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var name = NameProblem(entry.FullName);
            if (name is not null)
            {
                return $"entry {i + 1} {name}{where}";
            }

            if (entry.Length < 0 || entry.CompressedLength < 0 || entry.Length > budget.MaxExpandedBytes - budget.ExpandedBytes)
            {
                return $"its entries expand to more than {budget.MaxExpandedBytes} bytes{where}";
            }

            budget.ExpandedBytes += entry.Length;
            if (entry.Length > RatioFloorBytes && entry.Length / Math.Max(entry.CompressedLength, 1) > MaxRatio)
            {
                return $"entry {i + 1} expands more than {MaxRatio}:1 (a zip bomb){where}";
            }
        }

        return null;
    }

    // Reads an entry's first bytes; if it is a zip, reads it whole (bounded by its declared size and MaxNestedBytes,
    // whichever is smaller, plus one byte to catch an entry that inflates past what it declared) and recurses.
    private static string? InspectNested(ZipArchiveEntry entry, int index, int depth, Budget budget, string where)
    {
        if (entry.Length < 4)
        {
            return null;
        }

        using var stream = entry.Open();
        var head = new byte[4];
        if (ReadUpTo(stream, head) < 4 || !IsZip(head))
        {
            return null;
        }

        if (depth >= MaxDepth)
        {
            return $"entry {index} is an archive nested deeper than {MaxDepth} levels{where}";
        }

        if (entry.Length > MaxNestedBytes)
        {
            return $"entry {index} is a nested archive larger than {MaxNestedBytes} bytes{where}";
        }

        var buffer = new byte[entry.Length + 1];
        head.CopyTo(buffer, 0);
        var read = 4 + ReadUpTo(stream, buffer.AsSpan(4));
        if (read > entry.Length)
        {
            return $"entry {index} inflates beyond its declared size{where}";
        }

        return Inspect(buffer[..read], depth + 1, budget);
    }

    // The entry count of the end-of-central-directory record (zip64 when the classic field is saturated), or 0 when
    // none is found (the archive is then damaged and .NET refuses to open it).
    private static ulong DeclaredEntryCount(ReadOnlySpan<byte> bytes)
    {
        const int EndRecordLength = 22;
        var start = Math.Max(0, bytes.Length - EndRecordLength - ushort.MaxValue);
        var end = bytes[start..].LastIndexOf(EmptyArchive);
        if (end < 0 || start + end + EndRecordLength > bytes.Length)
        {
            return 0;
        }

        end += start;
        ulong count = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(end + 10)..]);
        var locator = end - 20;
        if (count == ushort.MaxValue && locator >= 0 && bytes[locator..].StartsWith("PK\x06\x07"u8))
        {
            var record = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(locator + 8)..]);
            if (record <= (ulong)bytes.Length - 40 && bytes[(int)record..].StartsWith("PK\x06\x06"u8))
            {
                count = BinaryPrimitives.ReadUInt64LittleEndian(bytes[((int)record + 32)..]);
            }
        }

        return count;
    }

    private static int ReadUpTo(Stream stream, Span<byte> buffer)
    {
        var read = 0;
        int n;
        while (read < buffer.Length && (n = stream.Read(buffer[read..])) > 0)
        {
            read += n;
        }

        return read;
    }

    /// <summary>What makes an entry name unsafe to extract anywhere, or null: the same rules for every platform.</summary>
    internal static string? NameProblem(string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            return "has a NUL character in its name";
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            return "has a backslash in its name";
        }

        if (name.StartsWith('/'))
        {
            return "has an absolute path";
        }

        if (name.Length >= 2 && char.IsAsciiLetter(name[0]) && name[1] == ':')
        {
            return "has a drive-letter path";
        }

        foreach (var segment in name.Split('/'))
        {
            if (segment == "..")
            {
                return "has a '..' path segment";
            }
        }

        return null;
    }

    private sealed class Budget(long maxExpandedBytes)
    {
        public long MaxExpandedBytes { get; } = maxExpandedBytes;

        public int Entries { get; set; }

        public long ExpandedBytes { get; set; }
    }
}
