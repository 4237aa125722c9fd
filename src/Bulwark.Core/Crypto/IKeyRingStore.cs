namespace Bulwark.Core.Crypto;

/// <summary>
/// Where the key ring's metadata persists: inside the master key file for the file provider (one atomic write covers
/// material and state), or in the <c>keyring.json</c> sidecar for providers that keep material elsewhere.
/// </summary>
internal interface IKeyRingStore
{
    /// <summary>The persisted metadata, or null when none exists yet (first start of a sidecar ring).</summary>
    KeyRingMetadata? Load();

    /// <summary>Persists <paramref name="metadata"/> atomically (0600, temp file + rename).</summary>
    void Save(KeyRingMetadata metadata);
}
