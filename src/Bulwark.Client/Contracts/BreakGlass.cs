namespace Bulwark.Client.Contracts;

/// <summary>
/// Starts emergency access in the request's project. <paramref name="Reason"/> is mandatory; <paramref name="Minutes"/>
/// defaults to (and may not exceed) the instance's maximum.
/// </summary>
public sealed record BreakGlassStartRequest(string? Reason = null, int? Minutes = null);

/// <summary>A break-glass session: who, where, why, what it adds, and until when.</summary>
public sealed record BreakGlassSessionInfo(
    string Id,
    string Principal,
    string Login,
    string Project,
    string Reason,
    IReadOnlyList<string> Permissions,
    DateTimeOffset StartedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? EndedAt,
    string? EndedBy,
    bool Active,
    int Requests);
