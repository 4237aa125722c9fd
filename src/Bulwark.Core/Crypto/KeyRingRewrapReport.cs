using Bulwark.Core.Crypto.Envelopes;

namespace Bulwark.Core.Crypto;

/// <summary>What a rewrap did in each store, and the inventory right after it.</summary>
internal sealed record KeyRingRewrapReport(string Primary, IReadOnlyList<StoreRewrapResult> Stores, EnvelopeInventory After)
{
    public long Rewrapped => Stores.Sum(s => s.Rewrapped);

    public long Failed => Stores.Sum(s => s.Failed);
}
