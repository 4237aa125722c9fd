namespace Bulwark.Core.Incidents;

/// <summary>What a detection contributes to an incident.</summary>
internal sealed record IncidentSignal(string RuleId, string Severity, string Subject, string Title, string Summary, string? ProjectId,
    IReadOnlyList<long> EvidenceSequences, IReadOnlyDictionary<string, string> Facts);
