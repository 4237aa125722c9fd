namespace Bulwark.Core.Identity.Tokens;

/// <summary>Stable failure codes of access-token validation, surfaced as the ProblemDetails <c>code</c>.</summary>
internal static class TokenFailureCodes
{
    public const string Malformed = "token.malformed";
    public const string AlgorithmNotAllowed = "token.algorithm-not-allowed";
    public const string SignatureInvalid = "token.signature-invalid";
    public const string Expired = "token.expired";
    public const string NotYetValid = "token.not-yet-valid";
    public const string IssuerInvalid = "token.issuer-invalid";
    public const string AudienceInvalid = "token.audience-invalid";
    public const string TypeInvalid = "token.type-invalid";
    public const string KeyUnknown = "token.key-unknown";
    public const string CritUnsupported = "token.crit-unsupported";
    public const string TooLarge = "token.too-large";
    public const string LifetimeMissing = "token.lifetime-missing";
}
