namespace Bulwark.Core.Identity.Mfa;

/// <summary>Stable failure codes of the MFA feature, surfaced as the ProblemDetails <c>code</c>.</summary>
internal static class MfaFailureCodes
{
    /// <summary>The input is not six digits (optionally "123 456" with surrounding whitespace).</summary>
    public const string CodeInvalid = "mfa.code-invalid";

    /// <summary>Well formed, but matches no time step inside the accepted drift window.</summary>
    public const string CodeIncorrect = "mfa.code-incorrect";

    /// <summary>Matches a time step that was already used (RFC 6238 §5.2: a code is accepted once).</summary>
    public const string CodeReplayed = "mfa.code-replayed";
}
