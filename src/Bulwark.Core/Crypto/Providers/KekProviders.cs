namespace Bulwark.Core.Crypto.Providers;

/// <summary>
/// The one switch from <c>Bulwark:Keys:Provider</c> to a key provider and the store of the ring's metadata: the file
/// provider keeps metadata in its key file, every other provider in the <c>keyring.json</c> sidecar of the data directory.
/// </summary>
internal static class KekProviders
{
    public static KeyRing OpenRing(KeysOptions keys, StorageOptions storage, TimeProvider time, Func<Pkcs11Options>? pkcs11 = null)
    {
        switch (keys.Provider)
        {
            case "file":
                var file = FileKekProvider.Open(storage.MasterKeyPath, time);
                return new KeyRing(file, file, time);
            case "env":
                var env = EnvironmentKekProvider.FromVariable(keys.EnvironmentVariable, Environment.GetEnvironmentVariable(keys.EnvironmentVariable));
                return WithSidecar(env, storage, time);
            case "pkcs11":
                // The KEKs stay on the token; the ring's metadata (versions, states, primary) goes to the sidecar.
                var options = pkcs11?.Invoke() ?? throw new SecurityConfigurationException($"Bulwark:Keys:Provider 'pkcs11' needs the {Pkcs11Options.Section} settings.");
                return WithSidecar(Pkcs11KekProvider.Open(options), storage, time);
            default:
                throw new SecurityConfigurationException($"Bulwark:Keys:Provider '{keys.Provider}' is unknown: use file, env or pkcs11.");
        }
    }

    private static KeyRing WithSidecar(IKekProvider provider, StorageOptions storage, TimeProvider time)
    {
        try
        {
            return new KeyRing(provider, new SidecarKeyRingStore(Path.Combine(storage.DataDir, SidecarKeyRingStore.FileName), provider.Kind), time);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }
}
