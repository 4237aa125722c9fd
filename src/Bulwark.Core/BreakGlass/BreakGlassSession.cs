namespace Bulwark.Core.BreakGlass;

/// <summary>
/// One emergency elevation (HIPAA §164.312(a)(2)(ii), emergency access procedure): who asked, why, in which project,
/// which permissions it added and until when. Rows are kept after the session ends, so the history stays reviewable.
/// </summary>
internal sealed class BreakGlassSession
{
    public Guid Id { get; set; }

    /// <summary>The user's principal id (<c>user:…</c>).</summary>
    public string UserId { get; set; } = "";

    /// <summary>
    /// The holder's login, for display. Not a column (logins are personal data, sealed only on the user's row): filled in
    /// from the user when a session is read, empty once the user is deleted (the audit ledger still names them).
    /// </summary>
    public string Login { get; set; } = "";
    public string ProjectId { get; set; } = "";

    /// <summary>Why, in the user's words: printable, single-line, between the configured minimum and 500 characters.</summary>
    public string Reason { get; set; } = "";

    /// <summary>The permissions the session adds, space-separated.</summary>
    public string Permissions { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Who ended it early; "expiry" when it ran out.</summary>
    public string? EndedBy { get; set; }
    public string? ClientAddress { get; set; }

    /// <summary>Requests served under this session (counted when each one is audited).</summary>
    public int Requests { get; set; }

    public bool IsActiveAt(DateTimeOffset now) => EndedAt is null && now < ExpiresAt;
}
