namespace Bulwark.Client.Contracts;

/// <summary>The master key ring: its versions, provider, minimum decryption version and pending destroy request.</summary>
public sealed record KeyRingInfo(string Provider, bool CanRotate, string Primary, int MinimumVersion, string DerivationRoot,
    IReadOnlyList<KeyVersionInfo> Versions, KeyDestroyRequestInfo? PendingDestroy, IReadOnlyList<SigningKeyAgeInfo> SigningKeys);

/// <summary>One master key version with the number of objects still wrapped under it.</summary>
public sealed record KeyVersionInfo(string Id, int Version, string State, bool Primary, DateTimeOffset CreatedAt, DateTimeOffset? StateChangedAt,
    double AgeDays, long Objects);

/// <summary>A destroy waiting for a second administrator's approval.</summary>
public sealed record KeyDestroyRequestInfo(string Version, string RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt, string Reason);

/// <summary>The age of a signing key (JWT, audit checkpoints) shown next to the master keys.</summary>
public sealed record SigningKeyAgeInfo(string Purpose, string KeyId, DateTimeOffset CreatedAt, double AgeDays);

/// <summary>Envelopes per key version, per store and in total.</summary>
public sealed record KeyRingInventoryInfo(IReadOnlyDictionary<string, long> ByVersion, IReadOnlyList<StoreInventoryInfo> Stores);

/// <summary>One store's envelopes per key version.</summary>
public sealed record StoreInventoryInfo(string Store, IReadOnlyDictionary<string, long> ByVersion);

/// <summary>Why the action is taken (audited); <paramref name="Force"/> disables a version that still wraps objects.</summary>
public sealed record KeyRingActionRequest(string? Reason = null, bool Force = false);

/// <summary>Raises the minimum decryption version (refused while objects remain under older versions).</summary>
public sealed record KeyRingMinimumRequest(int Version);

/// <summary>Asks to destroy a version: <paramref name="Confirm"/> must repeat the version id.</summary>
public sealed record KeyDestroyRequestBody(string Confirm, string Reason);

/// <summary>What a rewrap did per store, and what is left under versions other than the primary.</summary>
public sealed record KeyRingRewrapInfo(string Primary, long Rewrapped, long Failed, IReadOnlyList<StoreRewrapInfo> Stores, IReadOnlyDictionary<string, long> After);

/// <summary>One store's rewrap.</summary>
public sealed record StoreRewrapInfo(string Store, long Rewrapped, long Current, long Failed, long ChangedMeanwhile);
