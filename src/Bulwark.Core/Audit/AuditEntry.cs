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
    string? ProjectId = null);
