namespace Bulwark.Core.Incidents;

/// <summary>Severity levels, lowest first (docs/incident-response.md says what each one means for response times).</summary>
internal static class IncidentSeverity
{
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
    public const string Critical = "critical";

    public static readonly IReadOnlyList<string> All = [Low, Medium, High, Critical];

    public static bool IsValid(string? value) => value is not null && All.Contains(value);

    public static int Rank(string value) => All.ToList().IndexOf(value);

    public static string Max(string a, string b) => Rank(a) >= Rank(b) ? a : b;
}
