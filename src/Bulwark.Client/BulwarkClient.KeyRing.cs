using System.Net.Http.Json;
using Bulwark.Client.Contracts;

namespace Bulwark.Client;

/// <summary>The master key ring (<c>/api/v1/keyring</c>): instance administrators signed in with MFA.</summary>
public sealed partial class BulwarkClient
{
    /// <summary>Versions, states, primary, provider, object counts and signing-key ages.</summary>
    public Task<KeyRingInfo> GetKeyRingAsync(CancellationToken cancellationToken = default) =>
        SendAsync<KeyRingInfo>(HttpMethod.Get, "api/v1/keyring", null, cancellationToken);

    /// <summary>Envelopes per key version and per store.</summary>
    public Task<KeyRingInventoryInfo> GetKeyRingInventoryAsync(CancellationToken cancellationToken = default) =>
        SendAsync<KeyRingInventoryInfo>(HttpMethod.Get, "api/v1/keyring/inventory", null, cancellationToken);

    /// <summary>Adds a key version and makes it primary.</summary>
    public Task<KeyVersionInfo> RotateKeyRingAsync(string? reason, CancellationToken cancellationToken = default) =>
        SendAsync<KeyVersionInfo>(HttpMethod.Post, "api/v1/keyring/rotate", JsonContent.Create(new KeyRingActionRequest(reason), options: Json), cancellationToken);

    /// <summary>Enables or disables a version; <paramref name="force"/> disables one that still wraps objects.</summary>
    public Task<KeyVersionInfo> SetKeyVersionStateAsync(string version, bool enabled, bool force, string? reason, CancellationToken cancellationToken = default) =>
        SendAsync<KeyVersionInfo>(HttpMethod.Post, $"api/v1/keyring/versions/{Escape(version)}/{(enabled ? "enable" : "disable")}",
            JsonContent.Create(new KeyRingActionRequest(reason, force), options: Json), cancellationToken);

    /// <summary>Re-wraps every data key under the primary.</summary>
    public Task<KeyRingRewrapInfo> RewrapKeyRingAsync(string? reason, CancellationToken cancellationToken = default) =>
        SendAsync<KeyRingRewrapInfo>(HttpMethod.Post, "api/v1/keyring/rewrap", JsonContent.Create(new KeyRingActionRequest(reason), options: Json), cancellationToken);

    /// <summary>Raises the minimum decryption version.</summary>
    public Task<KeyRingMinimumRequest> SetKeyRingMinimumVersionAsync(int version, CancellationToken cancellationToken = default) =>
        SendAsync<KeyRingMinimumRequest>(HttpMethod.Post, "api/v1/keyring/minimum-version", JsonContent.Create(new KeyRingMinimumRequest(version), options: Json), cancellationToken);

    /// <summary>Asks to destroy a version (a second administrator approves).</summary>
    public Task<KeyDestroyRequestInfo> RequestKeyVersionDestroyAsync(string version, string reason, CancellationToken cancellationToken = default) =>
        SendAsync<KeyDestroyRequestInfo>(HttpMethod.Post, $"api/v1/keyring/versions/{Escape(version)}/destroy",
            JsonContent.Create(new KeyDestroyRequestBody(version, reason), options: Json), cancellationToken);

    /// <summary>Approves another administrator's destroy request: the version's key material is destroyed.</summary>
    public Task<KeyVersionInfo> ApproveKeyVersionDestroyAsync(string version, CancellationToken cancellationToken = default) =>
        SendAsync<KeyVersionInfo>(HttpMethod.Post, $"api/v1/keyring/versions/{Escape(version)}/destroy/approve",
            JsonContent.Create(new KeyRingActionRequest(), options: Json), cancellationToken);

    /// <summary>Withdraws the pending destroy request of <paramref name="version"/> (any instance administrator may).</summary>
    public async Task CancelKeyVersionDestroyAsync(string version, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Delete, $"api/v1/keyring/versions/{Escape(version)}/destroy", null, cancellationToken);
    }
}
