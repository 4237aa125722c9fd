namespace Bulwark.Core.Crypto;

/// <summary>What the key ring records about its versions; never key material.</summary>
internal sealed record KeyRingMetadata(IReadOnlyList<KeyVersion> Versions, string Primary, int MinimumVersion, KeyDestroyRequest? PendingDestroy);
