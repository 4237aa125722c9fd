using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Crypto;

/// <summary>The master key ring: where the keys live and how often the primary rotates. Bound from <c>Bulwark:Keys</c>.</summary>
public sealed class KeysOptions
{
    public const string Section = "Bulwark:Keys";

    /// <summary><c>file</c> (default: the master key file), <c>env</c> (an environment variable, read-only) or <c>pkcs11</c> (an HSM).</summary>
    [RegularExpression("^(file|env|pkcs11)$", ErrorMessage = "Bulwark:Keys:Provider must be file, env or pkcs11.")]
    public string Provider { get; set; } = "file";

    /// <summary>For the <c>env</c> provider: the variable holding <c>id:base64[,id:base64…]</c> (each key exactly 32 bytes).</summary>
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]{0,127}$", ErrorMessage = "Bulwark:Keys:EnvironmentVariable must be a valid environment variable name.")]
    public string EnvironmentVariable { get; set; } = "BULWARK_MASTER_KEYS";

    /// <summary>Scheduled rotation: the primary is replaced once it is older than this (default 90 days, at least 1 day).</summary>
    public TimeSpan RotateEvery { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Turns the scheduled rotation off (rotation on demand and on incident still work). Ignored for read-only providers.</summary>
    public bool ScheduledRotation { get; set; } = true;

    /// <summary>How often the rotation worker checks the primary's age.</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a destroy request waits for a second administrator's approval before it lapses.</summary>
    public TimeSpan DestroyApprovalWindow { get; set; } = TimeSpan.FromHours(24);
}
