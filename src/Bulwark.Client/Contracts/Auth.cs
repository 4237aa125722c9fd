namespace Bulwark.Client.Contracts;

/// <summary>Body of <c>POST /api/v1/auth/login</c>. <paramref name="Code"/>: the current TOTP code or a recovery code, when MFA is enrolled.</summary>
public sealed record LoginRequest(string Login, string Password, string? Code = null);

/// <summary>Body of <c>POST /api/v1/auth/refresh</c> and <c>/logout</c>.</summary>
public sealed record RefreshRequest(string RefreshToken);

/// <summary>
/// A signed-in session: a short-lived access token (send as <c>Authorization: Bearer</c>) and a refresh token that is
/// replaced on every use. <paramref name="Warnings"/> say what to fix (e.g. privileged roles inactive until MFA is enrolled).
/// </summary>
public sealed record TokenResponse(
    string AccessToken,
    string TokenType,
    int ExpiresIn,
    DateTimeOffset ExpiresAt,
    string RefreshToken,
    DateTimeOffset RefreshExpiresAt,
    IReadOnlyList<string> Amr,
    IReadOnlyList<string> Warnings);

/// <summary>The caller as the server sees it in the request's project.</summary>
public sealed record WhoAmI(string Id, string Name, string Kind, string Project, IReadOnlyList<string> Roles, IReadOnlyList<string> Permissions, bool Mfa);

/// <summary>An MFA enrolment in progress: add the secret to an authenticator app (or scan the URI), then confirm with a code.</summary>
public sealed record TotpEnrolment(string OtpAuthUri, string Secret);

/// <summary>
/// Optional body of <c>POST /api/v1/auth/mfa/totp</c>: holders of privileged roles add the one-time enrolment code an
/// administrator issued them.
/// </summary>
public sealed record TotpBeginRequest(string? EnrolmentCode);

/// <summary>A one-time MFA enrolment code for a user (shown once).</summary>
public sealed record MfaEnrolmentCode(string Login, string Code, DateTimeOffset ExpiresAt);

/// <summary>Body of <c>POST /api/v1/auth/mfa/totp/confirm</c>.</summary>
public sealed record TotpConfirmRequest(string Code);

/// <summary>One-time recovery codes, shown once. Each works once in place of a TOTP code.</summary>
public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

/// <summary>Body of <c>POST /api/v1/auth/password</c>.</summary>
public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);

/// <summary>
/// Body of <c>POST /api/v1/clients</c>: a service client of the request's project. Without <paramref name="PublicJwk"/> a client
/// secret is generated (shown once); with it, the client authenticates with signed assertions (<c>private_key_jwt</c>).
/// </summary>
public sealed record CreateClientRequest(string Name, IReadOnlyList<string> Scopes, string? PublicJwk = null);

public sealed record ClientInfo(string ClientId, string Name, string Project, IReadOnlyList<string> Scopes, string Authentication, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt);

/// <summary>The one response that contains a client secret.</summary>
public sealed record CreatedClientInfo(ClientInfo Client, string? ClientSecret);

/// <summary>RFC 6749 §5.1 access token response of <c>POST /oauth/token</c>.</summary>
public sealed record OAuthTokenResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string TokenType,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn,
    [property: System.Text.Json.Serialization.JsonPropertyName("scope")] string Scope);
