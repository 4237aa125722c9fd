namespace Bulwark.Core.Incidents;

/// <summary>A person opening an incident.</summary>
internal sealed record NewIncident(string Title, string Severity, string Type, string? Owner, string? ProjectId, bool PersonalData, bool HealthData);
