namespace Bulwark.Core.Crypto.Envelopes;

/// <summary>Envelopes per key version, per store and in total, read from envelope headers only.</summary>
internal sealed record EnvelopeInventory(IReadOnlyList<StoreInventory> Stores)
{
    /// <summary>The bucket for values in an envelope column that are not envelopes (written outside Bulwark).</summary>
    public const string NotAnEnvelope = "(not an envelope)";

    public IReadOnlyDictionary<string, long> ByVersion =>
        Stores.SelectMany(s => s.ByVersion).GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(p => p.Value), StringComparer.Ordinal);

    public long CountFor(string versionId) => Stores.Sum(s => s.ByVersion.GetValueOrDefault(versionId));
}

/// <summary>One store's envelopes per key version.</summary>
internal sealed record StoreInventory(string Store, IReadOnlyDictionary<string, long> ByVersion);
