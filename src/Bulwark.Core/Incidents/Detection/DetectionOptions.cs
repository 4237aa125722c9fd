namespace Bulwark.Core.Incidents.Detection;

/// <summary>Detection rules over the audit stream (section <c>Bulwark:Detection</c>); docs/detection-rules.md explains each rule.</summary>
public sealed class DetectionOptions
{
    public const string Section = "Bulwark:Detection";

    /// <summary>Subjects (accounts, addresses, principals) each rule keeps state for; the least recently seen are forgotten first.</summary>
    public int MaxTrackedSubjects { get; set; } = 10_000;

    /// <summary>Evidence sequences a detection carries at most (the most recent ones).</summary>
    public int MaxEvidence { get; set; } = 50;

    /// <summary>Hours in which administrative actions are expected, <c>HH:mm-HH:mm</c> in <see cref="AdminTimeZone"/>; may wrap midnight.</summary>
    public string AdminHours { get; set; } = "07:00-19:00";

    /// <summary>Days on which administrative actions are expected: names or ranges, e.g. <c>Mon-Fri</c> or <c>Mon,Wed,Sat</c>.</summary>
    public string AdminDays { get; set; } = "Mon-Fri";

    /// <summary>IANA time zone id for <see cref="AdminHours"/> and <see cref="AdminDays"/>, e.g. <c>Europe/Berlin</c>.</summary>
    public string AdminTimeZone { get; set; } = "UTC";

    /// <summary>CIDRs administrative actions are expected from; empty means any network.</summary>
    public List<string> AdminNetworks { get; set; } = [];

    public WindowRuleOptions BruteForce { get; set; } = new()
    {
        Threshold = 10,
        Window = TimeSpan.FromMinutes(5),
        Cooldown = TimeSpan.FromMinutes(30),
    };

    public CredentialStuffingOptions CredentialStuffing { get; set; } = new();

    public NewNetworkOptions ApiKeyNewNetwork { get; set; } = new();

    public WindowRuleOptions Probing { get; set; } = new()
    {
        Threshold = 20,
        Window = TimeSpan.FromMinutes(1),
        Cooldown = TimeSpan.FromMinutes(15),
    };

    public WindowRuleOptions MassQuery { get; set; } = new()
    {
        Threshold = 1000,
        Window = TimeSpan.FromMinutes(10),
        Cooldown = TimeSpan.FromHours(1),
    };

    public EventRuleOptions BudgetExhausted { get; set; } = new() { Cooldown = TimeSpan.FromHours(1) };

    public EventRuleOptions ModelIntegrity { get; set; } = new() { Cooldown = TimeSpan.FromHours(1) };

    public EventRuleOptions AuditChain { get; set; } = new() { Cooldown = TimeSpan.FromHours(24) };

    public EventRuleOptions PrivilegeChange { get; set; } = new() { Cooldown = TimeSpan.Zero };

    public EventRuleOptions AdminOffHours { get; set; } = new() { Cooldown = TimeSpan.FromHours(1) };

    /// <summary>Every start of break-glass access is a new detection (no cool-down): each one is reviewed.</summary>
    public EventRuleOptions BreakGlass { get; set; } = new() { Cooldown = TimeSpan.Zero };
}
