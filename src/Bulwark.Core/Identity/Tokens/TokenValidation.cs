namespace Bulwark.Core.Identity.Tokens;

/// <summary>Either a <see cref="ValidatedToken"/> or a stable <see cref="TokenFailureCodes">failure code</see>.</summary>
internal sealed record TokenValidation(ValidatedToken? Token, string? FailureCode)
{
    public bool Succeeded => Token is not null;

    public static TokenValidation Success(ValidatedToken token) => new(token, null);

    public static TokenValidation Failed(string code) => new(null, code);
}
