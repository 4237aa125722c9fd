namespace Bulwark.Core.Crypto;

/// <summary>The key ring's metadata in <c>&lt;data-dir&gt;/keyring.json</c>, for providers whose key material lives elsewhere.</summary>
internal sealed class SidecarKeyRingStore(string path, string providerKind) : IKeyRingStore
{
    public const string FileName = "keyring.json";

    public string Path => path;

    public KeyRingMetadata? Load()
    {
        var file = KeyRingFile.Load(path);
        if (file is null)
        {
            return null;
        }

        if (file.Provider != providerKind)
        {
            throw new SecurityConfigurationException($"Key ring file '{path}' belongs to the '{file.Provider}' provider, but Bulwark:Keys:Provider is '{providerKind}'. Moving between providers is not supported by restarting with another one.");
        }

        return new KeyRingMetadata([.. file.Versions.Select(v => new KeyVersion(v.Id, v.Version!.Value, v.State!, v.CreatedAt, v.StateChangedAt)).OrderBy(v => v.Version)],
            file.Primary, file.MinimumVersion, file.PendingDestroy);
    }

    public void Save(KeyRingMetadata metadata) => new KeyRingFile
    {
        Provider = providerKind,
        Primary = metadata.Primary,
        MinimumVersion = metadata.MinimumVersion,
        PendingDestroy = metadata.PendingDestroy,
        Versions = [.. metadata.Versions.Select(v => new MasterKeyEntry { Id = v.Id, Version = v.Version, State = v.State, CreatedAt = v.CreatedAt, StateChangedAt = v.StateChangedAt })],
    }.Save(path);
}
