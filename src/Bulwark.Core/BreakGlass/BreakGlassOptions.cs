using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.BreakGlass;

/// <summary>Emergency access (section <c>Bulwark:BreakGlass</c>). docs/data-protection.md explains each setting.</summary>
public sealed class BreakGlassOptions : IValidatableObject
{
    public const string Section = "Bulwark:BreakGlass";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Roles whose holders in a project may break glass there (e.g. a custom "clinician" role); default ml-engineer and
    /// data-scientist. Null means the default: the configuration binder appends to a list, so a default list could not be replaced.
    /// </summary>
    public List<string>? EligibleRoles { get; set; }

    /// <summary>What an elevation adds in its one project (default datasets:read, models:read, predict, predictions:full).</summary>
    public List<string>? Permissions { get; set; }

    internal IReadOnlyList<string> EffectiveEligibleRoles => EligibleRoles is { Count: > 0 } roles ? roles : ["ml-engineer", "data-scientist"];

    internal IReadOnlyList<string> EffectivePermissions => Permissions is { Count: > 0 } permissions ? permissions : ["datasets:read", "models:read", "predict", "predictions:full"];

    /// <summary>The longest elevation anyone may ask for (default 1 hour).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The shortest acceptable reason: long enough that "test" or "x" cannot pass as a justification.</summary>
    [Range(10, 200)]
    public int MinReasonLength { get; set; } = 20;

    /// <summary>Permissions an elevation may never add: they would let one person hand themselves lasting power.</summary>
    internal static readonly IReadOnlySet<string> Forbidden = new HashSet<string>(StringComparer.Ordinal)
    {
        "admin", "keys:manage", "users:manage", "policies:manage", "projects:manage", "incidents:manage",
        "privacy:manage", "models:promote", "models:export", "audit:read",
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var permission in EffectivePermissions)
        {
            if (Forbidden.Contains(permission) || !Identity.Permissions.IsValidScope(permission))
            {
                yield return new ValidationResult(
                    $"Bulwark:BreakGlass:Permissions may not hold '{permission}': only project permissions that read, train or predict (not admin; keys, users, policies, projects, incidents or privacy management; promotion, model export or audit reading).");
            }
        }
    }
}
