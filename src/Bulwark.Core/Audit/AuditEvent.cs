namespace Bulwark.Core.Audit;

/// <summary>
/// One link of the hash-chained audit ledger. <see cref="Hash"/> = SHA-256 over the canonical form of every
/// other field including <see cref="PreviousHash"/>, so editing, deleting or reordering a row breaks the chain there.
/// </summary>
internal sealed class AuditEvent
{
    public long Sequence { get; set; }
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>Stable numeric event code (see <see cref="AuditCodes"/>).</summary>
    public int Code { get; set; }
    public string Action { get; set; } = "";
    public string Principal { get; set; } = "";
    public string Resource { get; set; } = "";

    /// <summary>The project the event belongs to; null for instance-wide events (start-up, sign-in, user administration).</summary>
    public string? ProjectId { get; set; }

    /// <summary>"success", "denied", "failure" or "rejected".</summary>
    public string Outcome { get; set; } = "";
    public string? ClientAddress { get; set; }

    /// <summary>How the principal authenticated ("api_key", "bearer", …); null for anonymous requests and older events.</summary>
    public string? AuthMethod { get; set; }

    /// <summary>The client's User-Agent (printable ASCII, at most 256 characters); null when absent and for older events.</summary>
    public string? UserAgent { get; set; }

    /// <summary>Event-specific details as canonical JSON; never secrets or raw classified values.</summary>
    public string Details { get; set; } = "{}";
    public string PreviousHash { get; set; } = "";
    public string Hash { get; set; } = "";
}
