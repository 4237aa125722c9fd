namespace Bulwark.Core.Incidents.Detection;

/// <summary>Failures from one client address: too many in total, or spread across too many accounts.</summary>
public sealed class CredentialStuffingOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Login and authentication failures from one address within <see cref="Window"/> that make the rule fire.</summary>
    public int FailureThreshold { get; set; } = 20;

    /// <summary>Distinct accounts or credentials (each unknown login counts as one) failed from one address within <see cref="Window"/>.</summary>
    public int AccountThreshold { get; set; } = 5;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(30);
}
