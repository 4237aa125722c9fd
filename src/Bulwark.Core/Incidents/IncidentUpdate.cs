namespace Bulwark.Core.Incidents;

/// <summary>Fields a responder may change; null leaves a field as it is.</summary>
internal sealed record IncidentUpdate(string? Severity, string? Owner, bool? PersonalData, bool? HealthData, string? Note);
