using System.Text;
using Bulwark.Core.Crypto.Providers;

namespace Bulwark.Core.Crypto;

/// <summary>
/// The versioned master keys (KEKs): their metadata here, their material in an <see cref="IKekProvider"/>. Every wrapped
/// data key names the version that wrapped it, so decryption never tries keys one after another. Semantics follow Google
/// Tink keysets and HashiCorp Vault transit: exactly one primary (enabled) wraps new data keys; enabled versions unwrap;
/// disabled, destroyed and below-minimum versions refuse with <see cref="KeyVersionUnavailableException"/>.
/// </summary>
/// <remarks>
/// Purpose subkeys (<see cref="DeriveKey"/>) come from the derivation root — the first version — not from the primary,
/// because they tag and pepper rows that live on (API keys, stage tags, memberships): rotating the primary must not change
/// them, and the root can therefore be disabled for envelopes but never destroyed. Metadata is persisted before memory
/// changes, so a crash between the two loses nothing. Policy checks that need the database (objects still under a
/// version, approvals, audit) are in <see cref="KeyRingService"/>.
/// </remarks>
internal sealed class KeyRing : IDisposable
{
    private readonly object _gate = new();
    private readonly IKekProvider _provider;
    private readonly IKeyRingStore _store;
    private readonly TimeProvider _time;
    private volatile Snapshot _state;

    public KeyRing(IKekProvider provider, IKeyRingStore store, TimeProvider time)
    {
        _provider = provider;
        _store = store;
        _time = time;
        var loaded = store.Load();
        var metadata = Reconcile(provider, loaded, time);
        if (!ReferenceEquals(loaded, metadata))
        {
            // First start of a sidecar ring, or new keys in the environment variable: recorded before use.
            store.Save(metadata);
        }

        foreach (var version in metadata.Versions.Where(v => v.State != KeyVersionStates.Destroyed))
        {
            if (!provider.HasKey(version.Id))
            {
                throw new SecurityConfigurationException($"Key version '{version.Id}' ({version.State}) is in the key ring, but the '{provider.Kind}' key provider has no key for it.");
            }
        }

        _state = new Snapshot(metadata);
    }

    /// <summary>A ring over a key file already loaded (file provider); <paramref name="path"/> null keeps it in memory only.</summary>
    public KeyRing(MasterKeyFile file, string? path = null)
        : this(new FileKekProvider(file, path, TimeProvider.System))
    {
    }

    private KeyRing(FileKekProvider provider)
        : this(provider, provider, TimeProvider.System)
    {
    }

    public string PrimaryKeyId => _state.Metadata.Primary;

    /// <summary>Every key version id, oldest first.</summary>
    public IReadOnlyCollection<string> KeyIds => [.. _state.Metadata.Versions.Select(v => v.Id)];

    /// <summary>Every key version, oldest first.</summary>
    public IReadOnlyList<KeyVersion> Versions => _state.Metadata.Versions;

    public int MinimumVersion => _state.Metadata.MinimumVersion;

    public KeyDestroyRequest? PendingDestroy => _state.Metadata.PendingDestroy;

    public string DerivationRootId => _state.Metadata.Versions[0].Id;

    public string ProviderKind => _provider.Kind;

    public bool CanCreateKeys => _provider.CanCreateKeys;

    public KeyVersion? Find(string versionId) => _state.ById.GetValueOrDefault(versionId);

    /// <summary>Why <paramref name="versionId"/> may not unwrap now, or null when it may.</summary>
    public string? RefusalFor(string versionId, bool allowDisabled = false)
    {
        var state = _state;
        if (!state.ById.TryGetValue(versionId, out var version))
        {
            return KeyVersionUnavailableException.Unknown;
        }

        return version.State switch
        {
            KeyVersionStates.Destroyed => KeyVersionUnavailableException.Destroyed,
            KeyVersionStates.Disabled when !allowDisabled => KeyVersionUnavailableException.Disabled,
            _ when version.Version < state.Metadata.MinimumVersion => KeyVersionUnavailableException.BelowMinimum,
            _ => null,
        };
    }

    /// <summary>Wraps a data key under <paramref name="versionId"/>, which must be enabled.</summary>
    public void Wrap(string versionId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> dataKey, Span<byte> wrappedKey, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        if (RefusalFor(versionId) is { } reason)
        {
            throw new KeyVersionUnavailableException(versionId, reason);
        }

        _provider.Wrap(versionId, nonce, dataKey, wrappedKey, tag, associatedData);
    }

    /// <summary>Unwraps a data key; <paramref name="allowDisabled"/> lets a rewrap move data off a disabled version.</summary>
    /// <exception cref="KeyVersionUnavailableException">The version is disabled, destroyed, below the minimum or unknown.</exception>
    public void Unwrap(string versionId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> wrappedKey, ReadOnlySpan<byte> tag, Span<byte> dataKey, ReadOnlySpan<byte> associatedData,
        bool allowDisabled = false)
    {
        if (RefusalFor(versionId, allowDisabled) is { } reason)
        {
            throw new KeyVersionUnavailableException(versionId, reason);
        }

        _provider.Unwrap(versionId, nonce, wrappedKey, tag, dataKey, associatedData);
    }

    /// <summary>
    /// Derives a purpose-bound subkey from the derivation root (HKDF-SHA256, RFC 5869, info "bulwark/" + purpose), so the
    /// same master key never serves two purposes (e.g. audit input HMACs, API-key peppers).
    /// </summary>
    public byte[] DeriveKey(string purpose, int length = 32) =>
        _provider.DeriveKey(DerivationRootId, Encoding.UTF8.GetBytes("bulwark/" + purpose), length);

    /// <summary>
    /// Adds a new 256-bit key version and makes it the primary: the key is created in the provider and the metadata
    /// persisted first, then the ring in memory switches.
    /// </summary>
    /// <exception cref="InvalidOperationException">The provider's keys are managed outside Bulwark (environment variable).</exception>
    public string Rotate(TimeProvider time)
    {
        lock (_gate)
        {
            if (!_provider.CanCreateKeys)
            {
                throw new InvalidOperationException($"The '{_provider.Kind}' key provider's keys are managed outside Bulwark: add a key there and restart to rotate.");
            }

            var state = _state.Metadata;
            string id;
            do
            {
                id = MasterKeyFile.NewVersionId();
            }
            while (state.Versions.Any(v => v.Id == id) || _provider.HasKey(id));

            _provider.CreateKey(id);
            var version = new KeyVersion(id, state.Versions.Max(v => v.Version) + 1, KeyVersionStates.Enabled, time.GetUtcNow(), null);
            Commit(state with { Versions = [.. state.Versions, version], Primary = id });
            return id;
        }
    }

    /// <summary>Enables or disables a version that is not the primary.</summary>
    public Failure? SetState(string versionId, bool enabled)
    {
        lock (_gate)
        {
            var state = _state.Metadata;
            var version = Find(versionId);
            if (version is null || version.State == KeyVersionStates.Destroyed)
            {
                return KeyRingFailures.NotFound(versionId);
            }

            if (versionId == state.Primary && !enabled)
            {
                return KeyRingFailures.IsPrimary(versionId, "disabled");
            }

            if (version.IsEnabled == enabled)
            {
                return null;
            }

            Commit(Replace(state, version with { State = enabled ? KeyVersionStates.Enabled : KeyVersionStates.Disabled, StateChangedAt = _time.GetUtcNow() }));
            return null;
        }
    }

    /// <summary>Raises (or lowers) the minimum decryption version; it can never pass the primary.</summary>
    public Failure? SetMinimumVersion(int minimum)
    {
        lock (_gate)
        {
            var state = _state.Metadata;
            var primary = state.Versions.First(v => v.Id == state.Primary);
            if (minimum < 1 || minimum > primary.Version)
            {
                return new Failure(KeyRingFailures.InvalidCode, 400, $"The minimum decryption version must be between 1 and the primary's version ({primary.Version}).");
            }

            Commit(state with { MinimumVersion = minimum });
            return null;
        }
    }

    /// <summary>Records (or clears, with null) the pending destroy request.</summary>
    public void SetPendingDestroy(KeyDestroyRequest? request)
    {
        lock (_gate)
        {
            Commit(_state.Metadata with { PendingDestroy = request });
        }
    }

    /// <summary>Destroys a disabled, non-primary version that is not the derivation root: its material is gone for good.</summary>
    public Failure? Destroy(string versionId)
    {
        lock (_gate)
        {
            var state = _state.Metadata;
            if (DestroyRefusal(versionId) is { } refusal)
            {
                return refusal;
            }

            var version = Find(versionId)!;
            Commit(Replace(state, version with { State = KeyVersionStates.Destroyed, StateChangedAt = _time.GetUtcNow() }) with { PendingDestroy = null });
            _provider.DestroyKey(versionId);
            return null;
        }
    }

    /// <summary>Why <paramref name="versionId"/> cannot be destroyed on the ring's own rules, or null.</summary>
    public Failure? DestroyRefusal(string versionId)
    {
        var state = _state.Metadata;
        var version = Find(versionId);
        if (version is null || version.State == KeyVersionStates.Destroyed)
        {
            return KeyRingFailures.NotFound(versionId);
        }

        if (versionId == state.Primary)
        {
            return KeyRingFailures.IsPrimary(versionId, "destroyed");
        }

        if (versionId == DerivationRootId)
        {
            return new Failure(KeyRingFailures.DerivationRootCode, 409,
                $"Version '{versionId}' is the derivation root of purpose subkeys (API-key peppers, row tags): it can be disabled for envelopes but never destroyed.");
        }

        return version.State != KeyVersionStates.Disabled
            ? new Failure(KeyRingFailures.InvalidStateCode, 409, $"Version '{versionId}' is {version.State}: disable it first, so anything still needing it fails loudly before it is gone.")
            : null;
    }

    public void Dispose() => _provider.Dispose();

    private static KeyRingMetadata Replace(KeyRingMetadata state, KeyVersion version) =>
        state with { Versions = [.. state.Versions.Select(v => v.Id == version.Id ? version : v)] };

    private void Commit(KeyRingMetadata metadata)
    {
        _store.Save(metadata);
        _state = new Snapshot(metadata);
    }

    // First start of a sidecar ring, and keys added to an environment variable since the last start.
    private static KeyRingMetadata Reconcile(IKekProvider provider, KeyRingMetadata? metadata, TimeProvider time)
    {
        if (provider is EnvironmentKekProvider env)
        {
            var versions = metadata?.Versions.ToList() ?? [];
            var primary = metadata?.Primary;
            foreach (var id in env.KeyIds.Where(id => versions.All(v => v.Id != id)))
            {
                versions.Add(new KeyVersion(id, versions.Count == 0 ? 1 : versions.Max(v => v.Version) + 1, KeyVersionStates.Enabled, time.GetUtcNow(), null));
                if (id == env.KeyIds[^1])
                {
                    primary = id;
                }
            }

            if (versions.Count > 0 && env.KeyIds[0] != versions[0].Id)
            {
                throw new SecurityConfigurationException($"{env.Variable}: the first key must stay '{versions[0].Id}' (the derivation root of purpose subkeys).");
            }

            if (metadata is null || versions.Count != metadata.Versions.Count)
            {
                metadata = new KeyRingMetadata(versions, primary ?? env.KeyIds[^1], metadata?.MinimumVersion ?? 1, metadata?.PendingDestroy);
            }
        }
        else if (metadata is null)
        {
            if (!provider.CanCreateKeys)
            {
                throw new SecurityConfigurationException($"The key ring has no metadata yet and the '{provider.Kind}' key provider cannot create keys.");
            }

            var id = MasterKeyFile.NewVersionId();
            provider.CreateKey(id);
            metadata = new KeyRingMetadata([new KeyVersion(id, 1, KeyVersionStates.Enabled, time.GetUtcNow(), null)], id, 1, null);
        }

        if (metadata.Versions.Count == 0 || metadata.Versions.All(v => v.Id != metadata.Primary) || !metadata.Versions.First(v => v.Id == metadata.Primary).IsEnabled)
        {
            throw new SecurityConfigurationException("The key ring's primary version is missing or not enabled.");
        }

        return metadata;
    }

    private sealed class Snapshot(KeyRingMetadata metadata)
    {
        public KeyRingMetadata Metadata { get; } = metadata;

        public Dictionary<string, KeyVersion> ById { get; } = metadata.Versions.ToDictionary(v => v.Id, StringComparer.Ordinal);
    }
}
