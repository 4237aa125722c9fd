namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// The claims of an access token whose signature, issuer, audience, type and lifetime were checked.
/// <paramref name="Subject"/> of an external token is already namespaced as <c>ext:&lt;prefix&gt;:&lt;sub&gt;</c> so it can
/// never equal a local user id; <paramref name="Roles"/> and <paramref name="Projects"/> are filled for external tokens only.
/// </summary>
internal sealed record ValidatedToken(
    string Issuer,
    string Subject,
    string? TokenId,
    DateTimeOffset ExpiresAt,
    DateTimeOffset IssuedAt,
    DateTimeOffset? AuthTime,
    IReadOnlyList<string> Amr,
    IReadOnlyList<string> Scopes,
    string? ClientId,
    string? SessionId,
    bool IsExternal,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Projects);
