namespace Bulwark.Core.Crypto.Envelopes;

/// <summary>What one store's rewrap did.</summary>
/// <param name="Rewrapped">Envelopes moved under the primary.</param>
/// <param name="Current">Envelopes already under the primary.</param>
/// <param name="Failed">Envelopes that could not be rewrapped (altered, swapped, or under a destroyed or below-minimum version); left untouched.</param>
/// <param name="Changed">Objects changed by someone else while being rewrapped; left for the next run.</param>
internal sealed record StoreRewrapResult(string Store, long Rewrapped, long Current, long Failed, long Changed);
