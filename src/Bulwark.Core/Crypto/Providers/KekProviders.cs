namespace Bulwark.Core.Crypto.Providers;

/// <summary>
/// The one switch from <c>Bulwark:Keys:Provider</c> to a key provider and the store of the ring's metadata: the file
/// provider keeps metadata in its key file, every other provider in the <c>keyring.json</c> sidecar of the data directory.
/// </summary>
internal static class KekProviders
{
    public static KeyRing OpenRing(KeysOptions keys, StorageOptions storage, TimeProvider time)
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
                // The PKCS#11 provider (Bulwark:Keys:Pkcs11) plugs in here: WithSidecar(new Pkcs11KekProvider(...), storage, time).
                throw new SecurityConfigurationException("Bulwark:Keys:Provider 'pkcs11' is not available in this build. Use 'file' (default) or 'env'.");
            default:
                throw new SecurityConfigurationException($"Bulwark:Keys:Provider '{keys.Provider}' is unknown: use file, env or pkcs11.");
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "Every non-file provider (env now, pkcs11 next) goes through here.")]
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
