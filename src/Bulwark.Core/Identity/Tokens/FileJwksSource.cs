using System.Diagnostics.CodeAnalysis;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// Keys of an external issuer read from a JWKS file (for providers without a reachable endpoint, or air-gapped
/// installs). The file is re-read when its modification time or size changes; a broken file keeps the last good set.
/// </summary>
internal sealed class FileJwksSource(string path) : IJwksSource
{
    // A JWKS of a few keys is a few KiB; a huge file is a mistake, not a key set.
    private const long MaxFileBytes = 64 * 1024;

    private readonly Lock _gate = new();
    private volatile Dictionary<string, SecurityKey> _keys = new(StringComparer.Ordinal);
    private (DateTime WriteTime, long Length) _loadedVersion;

    public bool TryGetKey(string kid, [MaybeNullWhen(false)] out SecurityKey key)
    {
        if (CurrentVersion() is { } version && version != _loadedVersion)
            Reload();
        return _keys.TryGetValue(kid, out key);
    }

    public Task<bool> RefreshAsync(CancellationToken cancellationToken = default) => Task.FromResult(Reload());

    private bool Reload()
    {
        lock (_gate)
        {
            if (CurrentVersion() is not { } version || version.Length > MaxFileBytes)
                return false;
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }

            // Remember the version even when parsing fails, so a broken file is not re-parsed on every request.
            _loadedVersion = version;
            if (JwksParser.Parse(bytes) is not { } keys)
                return false;
            _keys = keys;
            return true;
        }
    }

    private (DateTime WriteTime, long Length)? CurrentVersion()
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
    }
}
