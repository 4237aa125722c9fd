namespace Bulwark.Core.Crypto;

/// <summary>One key version of the ring: its id (named in every envelope it wraps), order, state and age.</summary>
/// <param name="Id">The id written into envelopes, e.g. <c>k1f2e3d4c</c>.</param>
/// <param name="Version">1, 2, 3… in creation order; the minimum decryption version compares against it.</param>
internal sealed record KeyVersion(string Id, int Version, string State, DateTimeOffset CreatedAt, DateTimeOffset? StateChangedAt)
{
    public bool IsEnabled => State == KeyVersionStates.Enabled;
}
