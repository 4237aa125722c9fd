using System.Security.Cryptography;

namespace Bulwark.Core.Crypto.Envelopes;

/// <summary>
/// The encrypted object files under <c>&lt;data-dir&gt;/objects</c> (datasets, model artifacts, the manifest signing key):
/// <c>objects/&lt;purpose&gt;/&lt;object id&gt;.bwe</c>, where the purpose and object id are what the envelope is bound to.
/// </summary>
internal sealed class ArtifactEnvelopeStore(StorageOptions options) : IEnvelopeStore
{
    private string Root => Path.Combine(options.DataDir, "objects");

    public string Name => "files/objects";

    public async Task CountAsync(IDictionary<string, long> counts, CancellationToken cancellationToken)
    {
        foreach (var (path, _, _) in Objects())
        {
            var header = new byte[260];
            int read;
            await using (var stream = File.OpenRead(path))
            {
                read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
            }

            var key = EnvelopeEncryption.TryReadKeyId(header.AsSpan(0, read)) ?? EnvelopeInventory.NotAnEnvelope;
            counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;
        }
    }

    public async Task<StoreRewrapResult> RewrapAsync(EnvelopeEncryption envelope, CancellationToken cancellationToken)
    {
        long rewrapped = 0, current = 0, failed = 0, changed = 0;
        foreach (var (path, purpose, objectId) in Objects())
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] before;
            try
            {
                before = await File.ReadAllBytesAsync(path, cancellationToken);
            }
            catch (FileNotFoundException)
            {
                changed++; // deleted meanwhile (erasure, retention): nothing left to rewrap
                continue;
            }

            byte[]? after;
            try
            {
                after = envelope.Rewrap(before, objectId, purpose);
            }
            catch (CryptographicException)
            {
                failed++;
                continue;
            }

            if (after is null)
            {
                current++;
                continue;
            }

            // Same crash safety as ArtifactStore.PutAsync: a 0600 temp file, fsync, rename. The file is re-read just before
            // the rename so a concurrent rewrite of the object is not undone (it is left for the next run).
            var temp = path + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + ".tmp";
            PrivateFile.WriteNew(temp, after);
            if (!File.Exists(path) || !(await File.ReadAllBytesAsync(path, cancellationToken)).AsSpan().SequenceEqual(before))
            {
                File.Delete(temp);
                changed++;
                continue;
            }

            File.Move(temp, path, overwrite: true);
            rewrapped++;
        }

        return new StoreRewrapResult(Name, rewrapped, current, failed, changed);
    }

    private IEnumerable<(string Path, string Purpose, string ObjectId)> Objects()
    {
        if (!Directory.Exists(Root))
        {
            yield break;
        }

        foreach (var path in Directory.EnumerateFiles(Root, "*.bwe", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');
            var slash = relative.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0)
            {
                yield return (path, relative[..slash], relative[(slash + 1)..^".bwe".Length]);
            }
        }
    }
}
