namespace Bulwark.Core.Incidents;

/// <summary>
/// Who leads the response, in its one stored form: a login, normalised as logins are, or a user's principal id in
/// canonical form. It is shown in terminals, the console and evidence bundles, so nothing else is accepted (no control
/// or bidi characters, no markup, no megabytes).
/// </summary>
internal static class IncidentOwner
{
    public static readonly Failure Invalid = new(IncidentErrors.Invalid, 400,
        "owner is a login (2–64 characters: letters, digits, '.', '_', '@' or '-', starting with a letter or digit) or a user's id (user:<guid>).");

    /// <summary>The canonical form of <paramref name="owner"/>, or null when it is neither a login nor a user id.</summary>
    public static string? Canonical(string owner)
    {
        if (owner.Length > 128 || owner.Any(char.IsControl))
        {
            return null;
        }

        if (owner.StartsWith("user:", StringComparison.Ordinal))
        {
            return Guid.TryParse(owner.AsSpan(5), out var id) ? Identity.UserDirectory.PrincipalId(id) : null;
        }

        var login = Identity.UserService.NormalizeLogin(owner);
        return Identity.UserService.IsValidLogin(login) ? login : null;
    }
}
