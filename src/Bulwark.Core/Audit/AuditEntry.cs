namespace Bulwark.Core.Audit;

/// <summary>What a feature asks the ledger to record. The ledger adds sequence, time and hashes.</summary>
/// <param name="Details">Event-specific fields; serialised as canonical JSON. Never secrets, tokens or raw classified values.</param>
/// <param name="ProjectId">The project the event belongs to; null for instance-wide events.</param>
internal sealed record AuditEntry(
    int Code,
    string Action,
    string Principal,
    string Resource,
    string Outcome,
    string? ClientAddress = null,
    IReadOnlyDictionary<string, object?>? Details = null,
    string? ProjectId = null)
{
    /// <summary>How the principal authenticated (e.g. "api_key", "bearer"); taken from <see cref="AuditContext"/> when not set.</summary>
    public string? AuthMethod { get; init; }

    /// <summary>The client's User-Agent, sanitised and truncated; taken from <see cref="AuditContext"/> when not set.</summary>
    public string? UserAgent { get; init; }

    /// <summary>This entry with who/where filled in from the ambient request, where the feature did not say.</summary>
    public AuditEntry WithCaller()
    {
        var caller = AuditContext.Current;
        return caller is null || (AuthMethod is not null && UserAgent is not null)
            ? this
            : this with { AuthMethod = AuthMethod ?? caller.AuthMethod, UserAgent = UserAgent ?? caller.UserAgent };
    }
}
