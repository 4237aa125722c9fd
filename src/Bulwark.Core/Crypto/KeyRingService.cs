using Bulwark.Core.Audit;
using Bulwark.Core.Crypto.Envelopes;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Crypto;

/// <summary>
/// The key ring's lifecycle as operators drive it: rotate, disable / enable, rewrap, raise the minimum decryption
/// version, destroy with a second administrator's approval. Each step is audited and checked against the inventory of
/// every envelope store, so nothing that still needs a version loses it.
/// </summary>
/// <remarks>
/// Steps are serialised (one at a time per process) so a rewrap cannot race a destroy of the version it is moving data
/// off. Disabling a version that still wraps objects is refused unless forced: the objects would stop opening at once.
/// Raising the minimum and destroying are never forced: the inventory must show zero objects under what they retire.
/// </remarks>
internal sealed class KeyRingService(
    KeyRing ring,
    EnvelopeEncryption envelope,
    IEnumerable<IEnvelopeStore> stores,
    AuditLedger ledger,
    IOptions<KeysOptions> options,
    TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public KeyRing Ring => ring;

    /// <summary>Envelopes per key version and per store, read from headers only.</summary>
    public async Task<EnvelopeInventory> InventoryAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<StoreInventory>();
        foreach (var store in stores)
        {
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            await store.CountAsync(counts, cancellationToken);
            result.Add(new StoreInventory(store.Name, counts));
        }

        return new EnvelopeInventory(result);
    }

    /// <param name="trigger"><c>manual</c>, <c>scheduled</c> or <c>incident</c>.</param>
    public async Task<Outcome<KeyVersion>> RotateAsync(string actor, string? client, string trigger, string? reason, int? incident, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await RotateUnderGateAsync(actor, client, trigger, reason, incident);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Scheduled rotation: replaces the primary only if, once the gate is held, it is still at least
    /// <paramref name="maxAge"/> old at <paramref name="now"/>. Two checks that race (or a check racing a manual or
    /// incident rotation) therefore rotate once. Null when nothing was due.
    /// </summary>
    public async Task<KeyVersion?> RotateIfOlderThanAsync(TimeSpan maxAge, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var primary = ring.Find(ring.PrimaryKeyId)!;
            var age = now - primary.CreatedAt;
            if (!ring.CanCreateKeys || age < maxAge)
            {
                return null;
            }

            var rotated = await RotateUnderGateAsync("system", null, "scheduled",
                $"primary {primary.Id} is {age.TotalDays:0} days old (Bulwark:Keys:RotateEvery {maxAge.TotalDays:0} days)", null);
            return rotated.Succeeded ? rotated.Value : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Outcome<KeyVersion>> RotateUnderGateAsync(string actor, string? client, string trigger, string? reason, int? incident)
    {
        if (!ring.CanCreateKeys)
        {
            return new Failure(KeyRingFailures.ReadOnlyProviderCode, 409,
                $"The '{ring.ProviderKind}' key provider's keys are managed outside Bulwark: add a key there (e.g. to the environment variable) and restart to rotate.");
        }

        var previous = ring.PrimaryKeyId;
        var id = ring.Rotate(time);
        await ledger.AppendAsync(new AuditEntry(AuditCodes.MasterKeyRotated, "keyring.rotate", actor, "key-version/" + id, "success", client,
            new Dictionary<string, object?> { ["previous"] = previous, ["trigger"] = trigger, ["reason"] = reason, ["incident"] = incident, ["provider"] = ring.ProviderKind }));
        return ring.Find(id)!;
    }

    public async Task<Outcome<KeyVersion>> SetStateAsync(string versionId, bool enabled, bool force, string actor, string? client, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (ring.Find(versionId) is not { } version || version.State == KeyVersionStates.Destroyed)
            {
                return KeyRingFailures.NotFound(versionId);
            }

            long remaining = 0;
            if (!enabled && version.IsEnabled)
            {
                remaining = (await InventoryAsync(cancellationToken)).CountFor(versionId);
                if (remaining > 0 && !force && versionId != ring.PrimaryKeyId)
                {
                    return ObjectsRemain(versionId, remaining, "disabling it would stop them opening at once: rewrap first, or force to cut them off deliberately");
                }
            }

            if (ring.SetState(versionId, enabled) is { } failure)
            {
                return failure;
            }

            await ledger.AppendAsync(new AuditEntry(enabled ? AuditCodes.KeyVersionEnabled : AuditCodes.KeyVersionDisabled, enabled ? "keyring.enable" : "keyring.disable",
                actor, "key-version/" + versionId, "success", client, new Dictionary<string, object?> { ["objectsUnderVersion"] = remaining, ["forced"] = force }));
            return ring.Find(versionId)!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Moves every envelope in every store under the primary (data keys only; data ciphertext unchanged).</summary>
    public async Task<KeyRingRewrapReport> RewrapAsync(string actor, string? client, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var results = new List<StoreRewrapResult>();
            foreach (var store in stores)
            {
                results.Add(await store.RewrapAsync(envelope, cancellationToken));
            }

            var report = new KeyRingRewrapReport(ring.PrimaryKeyId, results, await InventoryAsync(cancellationToken));
            await ledger.AppendAsync(new AuditEntry(AuditCodes.KeyRingRewrapped, "keyring.rewrap", actor, "key-version/" + report.Primary,
                report.Failed == 0 ? "success" : "partial", client, new Dictionary<string, object?>
                {
                    ["rewrapped"] = report.Rewrapped,
                    ["failed"] = report.Failed,
                    ["changedMeanwhile"] = results.Sum(r => r.Changed),
                    ["remainingUnderOtherVersions"] = report.After.ByVersion.Where(p => p.Key != report.Primary).Sum(p => p.Value),
                }));
            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Raises the minimum decryption version; refused while any object is still under an older version.</summary>
    public async Task<Outcome<int>> SetMinimumVersionAsync(int minimum, string actor, string? client, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var primary = ring.Find(ring.PrimaryKeyId)!;
            if (minimum < 1 || minimum > primary.Version)
            {
                return new Failure(KeyRingFailures.InvalidCode, 400, $"The minimum decryption version must be between 1 and the primary's version ({primary.Version}).");
            }

            var retiring = ring.Versions.Where(v => v.Version < minimum && v.State != KeyVersionStates.Destroyed).Select(v => v.Id).ToList();
            var inventory = await InventoryAsync(cancellationToken);
            var remaining = retiring.Sum(inventory.CountFor);
            if (remaining > 0)
            {
                return ObjectsRemain(string.Join(", ", retiring), remaining, "run a rewrap first; the minimum is raised only when nothing is left under older versions");
            }

            var previous = ring.MinimumVersion;
            if (ring.SetMinimumVersion(minimum) is { } failure)
            {
                return failure;
            }

            await ledger.AppendAsync(new AuditEntry(AuditCodes.KeyRingMinimumVersionSet, "keyring.set-minimum", actor, "key-ring", "success", client,
                new Dictionary<string, object?> { ["previous"] = previous, ["minimum"] = minimum }));
            return minimum;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>First step of a destroy: checked now, carried out only when a different instance administrator approves.</summary>
    public async Task<Outcome<KeyDestroyRequest>> RequestDestroyAsync(string versionId, string reason, string actor, string? client, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (await DestroyBlockerAsync(versionId, cancellationToken) is { } blocker)
            {
                return blocker;
            }

            var request = new KeyDestroyRequest { VersionId = versionId, RequestedBy = actor, RequestedAt = time.GetUtcNow(), Reason = reason };
            ring.SetPendingDestroy(request);
            await ledger.AppendAsync(new AuditEntry(AuditCodes.KeyDestroyRequested, "keyring.destroy-request", actor, "key-version/" + versionId, "success", client,
                new Dictionary<string, object?> { ["reason"] = reason, ["expiresAt"] = request.RequestedAt + options.Value.DestroyApprovalWindow }));
            return request;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Second step: a different administrator approves and the version's material is destroyed irrecoverably.</summary>
    public async Task<Outcome<KeyVersion>> ApproveDestroyAsync(string versionId, string actor, string? client, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var pending = ring.PendingDestroy;
            if (pending is null || pending.VersionId != versionId || pending.RequestedAt + options.Value.DestroyApprovalWindow < time.GetUtcNow())
            {
                return new Failure(KeyRingFailures.NoPendingCode, 409, $"There is no pending destroy request for version '{versionId}' (or it lapsed): request it first.");
            }

            if (string.Equals(pending.RequestedBy, actor, StringComparison.Ordinal))
            {
                return new Failure(KeyRingFailures.SameApproverCode, 403, "A destroy must be approved by a different instance administrator than the one who requested it (four eyes).");
            }

            if (await DestroyBlockerAsync(versionId, cancellationToken) is { } blocker)
            {
                return blocker;
            }

            if (ring.Destroy(versionId) is { } failure)
            {
                return failure;
            }

            await ledger.AppendAsync(new AuditEntry(AuditCodes.KeyVersionDestroyed, "keyring.destroy", actor, "key-version/" + versionId, "success", client,
                new Dictionary<string, object?> { ["requestedBy"] = pending.RequestedBy, ["reason"] = pending.Reason, ["provider"] = ring.ProviderKind }));
            return ring.Find(versionId)!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<Outcome<KeyDestroyRequest>> CancelDestroyAsync(string versionId, string actor, string? client, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (ring.PendingDestroy is not { } pending || pending.VersionId != versionId)
            {
                return new Failure(KeyRingFailures.NoPendingCode, 409, $"There is no pending destroy request for version '{versionId}'.");
            }

            ring.SetPendingDestroy(null);
            await ledger.AppendAsync(new AuditEntry(AuditCodes.KeyDestroyCancelled, "keyring.destroy-cancel", actor, "key-version/" + versionId, "success", client));
            return pending;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Failure?> DestroyBlockerAsync(string versionId, CancellationToken cancellationToken)
    {
        if (ring.DestroyRefusal(versionId) is { } refusal)
        {
            return refusal;
        }

        var remaining = (await InventoryAsync(cancellationToken)).CountFor(versionId);
        return remaining > 0 ? ObjectsRemain(versionId, remaining, "enable it and rewrap first; a version is destroyed only when nothing needs it") : null;
    }

    public void Dispose() => _gate.Dispose();

    private static Failure ObjectsRemain(string versions, long count, string advice) =>
        new(KeyRingFailures.ObjectsRemainCode, 409, $"{count} object(s) are still under key version(s) {versions}: {advice}.",
            new Dictionary<string, object?> { ["objects"] = count });
}
