using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Identity;

/// <summary>Sign-in sessions (section <c>Bulwark:SignIn</c>).</summary>
public sealed class SignInOptions
{
    public const string Section = "Bulwark:SignIn";

    /// <summary>How long an unused refresh token stays valid.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A session's absolute end, however often it is refreshed (then the user signs in again).</summary>
    [Range(typeof(TimeSpan), "00:15:00", "7.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Failures after which each further failure doubles a wait before the next attempt (capped at 15 minutes).</summary>
    [Range(1, 100)]
    public int BackoffAfterFailures { get; set; } = 5;

    /// <summary>Roles that are inactive in sessions signed in without a second factor (admin, security-officer, approver).</summary>
    public bool RequireMfaForPrivilegedRoles { get; set; } = true;
}
