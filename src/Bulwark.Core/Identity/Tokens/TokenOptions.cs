namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// Access-token settings: our issuer and audience, token lifetime and clock skew, and the external identity providers
/// whose tokens are accepted. <see cref="Validate"/> is run at startup so a misconfiguration stops the server.
/// </summary>
internal sealed class TokenOptions
{
    public const string SectionName = "Tokens";

    // Short-lived bearer tokens bound the damage of a leaked token; revocation only has to cover the refresh family.
    public static readonly TimeSpan MaxAccessTokenLifetime = TimeSpan.FromMinutes(15);

    // RFC 8725 §3.8 / RFC 7519 §4.1.4: allow "some small leeway"; more than a minute hides a broken clock.
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(60);

    /// <summary>Our <c>iss</c>: an absolute https URL.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>Our <c>aud</c>, the resource server's identifier.</summary>
    public string Audience { get; set; } = "";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public List<ExternalIssuerOptions> ExternalIssuers { get; set; } = [];

    /// <summary>How long a retired signing key must stay trusted: every token it signed has expired by then.</summary>
    public TimeSpan KeyOverlap => AccessTokenLifetime + ClockSkew;

    /// <summary>Every problem with the configuration; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IsHttpsUrl(Issuer))
            errors.Add("Tokens:Issuer must be an absolute https URL.");
        if (string.IsNullOrWhiteSpace(Audience))
            errors.Add("Tokens:Audience is required.");
        if (AccessTokenLifetime <= TimeSpan.Zero || AccessTokenLifetime > MaxAccessTokenLifetime)
            errors.Add($"Tokens:AccessTokenLifetime must be positive and at most {MaxAccessTokenLifetime.TotalMinutes} minutes.");
        if (ClockSkew < TimeSpan.Zero || ClockSkew > MaxClockSkew)
            errors.Add($"Tokens:ClockSkew must be between 0 and {MaxClockSkew.TotalSeconds} seconds.");

        var issuers = new HashSet<string>(StringComparer.Ordinal) { Issuer };
        var prefixes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < ExternalIssuers.Count; i++)
        {
            var external = ExternalIssuers[i];
            var path = $"Tokens:ExternalIssuers:{i}";
            errors.AddRange(external.Validate(path));
            // Keys are bound to exactly one issuer; two entries for one issuer (or our own) would blur that.
            if (!string.IsNullOrEmpty(external.Issuer) && !issuers.Add(external.Issuer))
                errors.Add($"{path}:Issuer '{external.Issuer}' is configured twice or equals our own issuer.");
            if (!string.IsNullOrEmpty(external.SubjectPrefix) && !prefixes.Add(external.SubjectPrefix))
                errors.Add($"{path}:SubjectPrefix '{external.SubjectPrefix}' is used by another issuer.");
        }

        return errors;
    }

    internal static bool IsHttpsUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;
}
