namespace Bulwark.Core.Crypto.Envelopes;

/// <summary>
/// A place that holds envelopes (files, a database column). Two operations, both reading only envelope headers or data
/// keys, never plaintext data: count envelopes per key version, and rewrap every envelope that is not under the primary.
/// </summary>
/// <remarks>
/// A feature that stores new envelopes registers its store with <c>services.AddEnvelopeStore(...)</c>; the key ring's
/// inventory, rewrap and destroy checks then cover it, and the envelope census test fails until it does.
/// </remarks>
internal interface IEnvelopeStore
{
    /// <summary>Stable name shown in the inventory, e.g. <c>files/dataset</c> or <c>db/Users.TotpSecret</c>.</summary>
    string Name { get; }

    /// <summary>Adds the number of envelopes under each key version to <paramref name="counts"/> (values that are not envelopes under <see cref="EnvelopeInventory.NotAnEnvelope"/>).</summary>
    Task CountAsync(IDictionary<string, long> counts, CancellationToken cancellationToken);

    /// <summary>Rewraps every envelope not under the primary; idempotent and resumable (each object is replaced atomically on its own).</summary>
    Task<StoreRewrapResult> RewrapAsync(EnvelopeEncryption envelope, CancellationToken cancellationToken);
}
