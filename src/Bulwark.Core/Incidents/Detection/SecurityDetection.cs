namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// What a rule concluded from the audit stream. Carries only identifiers (principal ids, logins, addresses, model
/// names, sequence numbers) and counts: never secrets, details copied wholesale, or raw personal data.
/// </summary>
/// <remarks>
/// Not named plain <c>Detection</c>: inside <c>Bulwark.Core.Incidents</c> that simple name binds to this namespace
/// before any using directive, so incident code could not refer to the type without qualifying it.
/// </remarks>
/// <param name="RuleId">Stable rule id (see <see cref="DetectionRuleIds"/>), e.g. <c>auth.brute-force</c>.</param>
/// <param name="Severity">One of <see cref="DetectionSeverity"/>: low, medium, high, critical.</param>
/// <param name="Subject">Who or what the detection is about: <c>user/alice</c>, <c>address/203.0.113.9</c>, <c>key:bwk_…</c>, <c>model/fraud/3</c>.</param>
/// <param name="ProjectId">The project of the triggering event; null for instance-wide events.</param>
/// <param name="At">Timestamp of the event that made the rule fire (ledger time, never the wall clock).</param>
/// <param name="EvidenceSequences">Ledger sequences of the events that made the rule fire, oldest first, at most
/// <see cref="DetectionOptions.MaxEvidence"/> (the most recent ones).</param>
/// <param name="Facts">Rule-specific facts for the incident view (counts, windows, reasons).</param>
/// <param name="IsContinuation">
/// True when the same rule already fired for the same subject within its cool-down: the caller should attach the
/// evidence to the open incident instead of opening a new one.
/// </param>
internal sealed record SecurityDetection(
    string RuleId,
    string Severity,
    string Subject,
    string Title,
    string Summary,
    string? ProjectId,
    DateTimeOffset At,
    IReadOnlyList<long> EvidenceSequences,
    IReadOnlyDictionary<string, string> Facts,
    bool IsContinuation = false);
