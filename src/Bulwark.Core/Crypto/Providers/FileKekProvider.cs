using System.Security.Cryptography;

namespace Bulwark.Core.Crypto.Providers;

/// <summary>
/// The default provider: KEKs in the master key file (mode 0600, keys of at least 256 bits), which also carries the ring's
/// metadata, so creating, disabling or destroying a version is one atomic rewrite of one file.
/// </summary>
internal sealed class FileKekProvider : SoftwareKekProvider, IKeyRingStore
{
    private readonly object _gate = new();
    private readonly string? _path;
    private readonly TimeProvider _time;
    private MasterKeyFile _file;

    /// <param name="file">The loaded key file.</param>
    /// <param name="path">Where it lives; null for a ring held only in memory (it cannot create keys).</param>
    public FileKekProvider(MasterKeyFile file, string? path, TimeProvider time)
    {
        _file = file;
        _path = path;
        _time = time;
        foreach (var key in file.Keys.Where(k => k.State != KeyVersionStates.Destroyed && k.Material is not null))
        {
            AddMaterial(key.Id, Convert.FromBase64String(key.Material!));
        }
    }

    public static FileKekProvider Open(string path, TimeProvider time) => new(MasterKeyFile.Load(path), path, time);

    public override string Kind => "file";

    public override bool CanCreateKeys => _path is not null;

    public override void CreateKey(string versionId)
    {
        if (_path is null)
        {
            throw new InvalidOperationException("This key ring was not loaded from a key file and cannot create keys.");
        }

        lock (_gate)
        {
            var file = MasterKeyFile.Load(_path);
            var material = RandomNumberGenerator.GetBytes(32);
            file.Keys.Add(new MasterKeyEntry
            {
                Id = versionId,
                Version = file.Keys.Max(k => k.Version ?? 0) + 1,
                State = KeyVersionStates.Enabled,
                CreatedAt = _time.GetUtcNow(),
                Material = Convert.ToBase64String(material),
            });
            file.ReplaceAt(_path);
            _file = file;
            AddMaterial(versionId, material);
        }
    }

    public override void DestroyKey(string versionId)
    {
        lock (_gate)
        {
            var file = _path is null ? _file : MasterKeyFile.Load(_path);
            var entry = file.Keys.FirstOrDefault(k => k.Id == versionId);
            if (entry is not null && entry.Material is not null)
            {
                entry.Material = null;
                entry.State = KeyVersionStates.Destroyed;
                if (_path is not null)
                {
                    file.ReplaceAt(_path);
                }

                _file = file;
            }

            RemoveMaterial(versionId);
        }
    }

    public KeyRingMetadata? Load()
    {
        lock (_gate)
        {
            var file = _path is null ? _file : MasterKeyFile.Load(_path);
            return new KeyRingMetadata(
                [.. file.Keys.Select(k => new KeyVersion(k.Id, k.Version!.Value, k.State!, k.CreatedAt, k.StateChangedAt)).OrderBy(v => v.Version)],
                file.Primary, file.MinimumVersion ?? 1, file.PendingDestroy);
        }
    }

    public void Save(KeyRingMetadata metadata)
    {
        lock (_gate)
        {
            var file = _path is null ? _file : MasterKeyFile.Load(_path);
            foreach (var version in metadata.Versions)
            {
                var entry = file.Keys.FirstOrDefault(k => k.Id == version.Id)
                    ?? throw new InvalidOperationException($"Key version '{version.Id}' is not in the key file.");
                entry.Version = version.Version;
                entry.State = version.State;
                entry.CreatedAt = version.CreatedAt;
                entry.StateChangedAt = version.StateChangedAt;
                if (version.State == KeyVersionStates.Destroyed)
                {
                    // The material goes in the same atomic write that records the destroy.
                    entry.Material = null;
                }
            }

            file.Primary = metadata.Primary;
            file.MinimumVersion = metadata.MinimumVersion;
            file.PendingDestroy = metadata.PendingDestroy;
            if (_path is not null)
            {
                file.ReplaceAt(_path);
            }

            _file = file;
        }
    }
}
