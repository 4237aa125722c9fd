using System.Buffers;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// An external identity provider whose access tokens are accepted. Its keys come only from its own JWKS (a file or an
/// https URL) and verify only its own tokens. Principals are namespaced <c>ext:&lt;SubjectPrefix&gt;:&lt;sub&gt;</c>; roles come
/// from <see cref="RoleClaim"/> through <see cref="RoleMap"/> (unmapped values are dropped, never passed through).
/// </summary>
/// <remarks>
/// <see cref="Algorithms"/> and <see cref="AcceptedTypes"/> start empty and an empty list means the documented default:
/// the configuration binder appends to pre-filled lists, so a default written into the list could never be narrowed.
/// <see cref="RequireTyp"/> is off by default because many providers send <c>typ: JWT</c> or nothing on access tokens
/// (RFC 9068 is recent); turn it on for providers that send <c>at+jwt</c> to stop ID tokens being replayed as access tokens.
/// </remarks>
internal sealed class ExternalIssuerOptions
{
    public static readonly IReadOnlyList<string> DefaultAlgorithms = ["RS256", "ES256"];
    public static readonly IReadOnlyList<string> DefaultAcceptedTypes = ["at+jwt", "JWT"];

    // RFC 8725 §3.1/§3.2: asymmetric algorithms only. HS* would let anyone holding the public JWKS forge tokens
    // (key confusion) and "none" is no signature at all.
    public static readonly IReadOnlySet<string> AsymmetricAlgorithms = new HashSet<string>(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    };

    private static readonly SearchValues<char> PrefixCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    public string Issuer { get; set; } = "";

    public string Audience { get; set; } = "";

    public string? JwksFile { get; set; }

    public string? JwksUrl { get; set; }

    /// <summary>Allowed <c>alg</c> values; empty means RS256 and ES256.</summary>
    public List<string> Algorithms { get; set; } = [];

    /// <summary>Lower-case letters, digits and '-': principal ids become <c>ext:&lt;prefix&gt;:&lt;sub&gt;</c>.</summary>
    public string SubjectPrefix { get; set; } = "";

    public string RoleClaim { get; set; } = "roles";

    public string? ProjectClaim { get; set; } = "projects";

    /// <summary>Provider role value → Bulwark role name. Values not listed are dropped.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.Ordinal);

    public bool RequireTyp { get; set; }

    /// <summary>Accepted <c>typ</c> values when <see cref="RequireTyp"/> is set; empty means at+jwt and JWT.</summary>
    public List<string> AcceptedTypes { get; set; } = [];

    public IReadOnlyList<string> EffectiveAlgorithms => Algorithms.Count == 0 ? DefaultAlgorithms : Algorithms;

    public IReadOnlyList<string> EffectiveAcceptedTypes => AcceptedTypes.Count == 0 ? DefaultAcceptedTypes : AcceptedTypes;

    public IReadOnlyList<string> Validate(string path)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Issuer))
            errors.Add($"{path}:Issuer is required.");
        if (string.IsNullOrWhiteSpace(Audience))
            errors.Add($"{path}:Audience is required.");
        if (string.IsNullOrWhiteSpace(JwksFile) == string.IsNullOrWhiteSpace(JwksUrl))
            errors.Add($"{path}: set exactly one of JwksFile and JwksUrl.");
        if (!string.IsNullOrWhiteSpace(JwksUrl) && !TokenOptions.IsHttpsUrl(JwksUrl))
            errors.Add($"{path}:JwksUrl must be an absolute https URL.");
        foreach (var algorithm in Algorithms)
        {
            if (!AsymmetricAlgorithms.Contains(algorithm))
                errors.Add($"{path}:Algorithms: '{algorithm}' is not allowed; use RS/PS/ES 256/384/512.");
        }

        if (string.IsNullOrEmpty(SubjectPrefix) || SubjectPrefix.AsSpan().ContainsAnyExcept(PrefixCharacters))
            errors.Add($"{path}:SubjectPrefix is required (lower-case letters, digits and '-') so external subjects never collide with local users.");
        if (string.IsNullOrWhiteSpace(RoleClaim))
            errors.Add($"{path}:RoleClaim is required.");
        return errors;
    }
}
