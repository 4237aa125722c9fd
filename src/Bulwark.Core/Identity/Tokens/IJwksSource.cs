using System.Diagnostics.CodeAnalysis;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// The verification keys of one external issuer. Lookups are synchronous and in memory; loading happens in
/// <see cref="RefreshAsync"/> (call it once at startup) or in the background when the snapshot is stale.
/// </summary>
internal interface IJwksSource
{
    /// <summary>Looks a key up by exact <c>kid</c> in the current snapshot (RFC 8725 §3.10: never a path or URL).</summary>
    bool TryGetKey(string kid, [MaybeNullWhen(false)] out SecurityKey key);

    /// <summary>Reloads the key set; on failure the last good set is kept and false is returned.</summary>
    Task<bool> RefreshAsync(CancellationToken cancellationToken = default);
}
