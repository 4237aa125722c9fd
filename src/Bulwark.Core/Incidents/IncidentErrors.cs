namespace Bulwark.Core.Incidents;

/// <summary>Stable problem codes of incident response (the same strings as <c>Bulwark.Client.Contracts.ErrorCodes</c>).</summary>
internal static class IncidentErrors
{
    public const string NotFound = "incident.not-found";
    public const string InvalidTransition = "incident.invalid-transition";
    public const string ChecklistIncomplete = "incident.checklist-incomplete";
    public const string Invalid = "incident.invalid";
    public const string Conflict = "incident.conflict";
    public const string Closed = "incident.closed";

    public static Failure Missing(int number) => new(NotFound, 404, $"Incident {number} does not exist.");
}
