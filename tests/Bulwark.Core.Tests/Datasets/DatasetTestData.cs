using System.Text;
using Bulwark.Core.Datasets;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Datasets;

internal static class DatasetTestData
{
    public static string BundledCsvPath => Path.Combine(RepositoryPaths.Root, "data", "breast-cancer-wisconsin.csv");

    public static DatasetImportRequest Request(string name = "test-data", string? label = null, IReadOnlyDictionary<string, string>? kinds = null) =>
        new(name, DataClassification.Confidential, label, kinds, "key:bwk_test", "127.0.0.1");

    public static async Task<Outcome<Dataset>> ImportAsync(CoreTestEnvironment env, string csv, string? label = null, IReadOnlyDictionary<string, string>? kinds = null)
    {
        await using var scope = env.Scope();
        var importer = scope.ServiceProvider.GetRequiredService<DatasetImporter>();
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        return await importer.ImportAsync(Request(label: label, kinds: kinds), stream);
    }

    public static async Task<Outcome<Dataset>> ImportBundledAsync(CoreTestEnvironment env)
    {
        await using var scope = env.Scope();
        var importer = scope.ServiceProvider.GetRequiredService<DatasetImporter>();
        await using var stream = File.OpenRead(BundledCsvPath);
        return await importer.ImportAsync(Request("breast-cancer", "diagnosis"), stream);
    }

    /// <summary>Parses CSV text straight into a <see cref="LoadedDataset"/> (no database, no encryption).</summary>
    public static LoadedDataset Parse(string csv, string? label = null)
    {
        var outcome = DatasetImporter.Parse(csv, new DatasetsOptions(), label, null, "test");
        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        return outcome.Value;
    }

    /// <summary>A stream that never ends, counting what was read from it.</summary>
    public sealed class EndlessStream : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'1');
            BytesRead += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
