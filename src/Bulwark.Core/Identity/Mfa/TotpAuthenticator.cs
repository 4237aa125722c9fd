using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OtpNet;

namespace Bulwark.Core.Identity.Mfa;

/// <summary>
/// RFC 6238 time-based one-time passwords (HMAC-SHA1, 6 digits, 30 s steps): secret generation, the
/// <c>otpauth://</c> enrolment URI, and verification with bounded clock drift and replay protection.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static",
    Justification = "Instance API: callers use the one injected authenticator for enrolment and verification alike.")]
internal sealed class TotpAuthenticator(TimeProvider time)
{
    public const int Digits = 6;
    public const int PeriodSeconds = 30;

    // RFC 6238 §5.2: accept at most one step of drift either way; a wider window only helps an attacker.
    private const int AllowedDriftSteps = 1;

    // RFC 4226 §4 R6 recommends a 160-bit shared secret for HMAC-SHA1.
    private const int SecretLength = 20;

    public byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretLength);

    /// <summary>
    /// The Key Uri Format understood by authenticator apps:
    /// <c>otpauth://totp/Issuer:account?secret=BASE32&amp;issuer=Issuer&amp;algorithm=SHA1&amp;digits=6&amp;period=30</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The issuer or account is empty or contains ':' (the label separator).</exception>
    public string OtpAuthUri(byte[] secret, string issuer, string accountName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(secret.Length, 16, nameof(secret));
        RequireLabelPart(issuer, nameof(issuer));
        RequireLabelPart(accountName, nameof(accountName));

        // Base32 without padding (RFC 4648 §6); apps reject or mis-handle '='.
        var base32 = Base32Encoding.ToString(secret).TrimEnd('=');
        var escapedIssuer = Uri.EscapeDataString(issuer);
        return string.Create(CultureInfo.InvariantCulture,
            $"otpauth://totp/{escapedIssuer}:{Uri.EscapeDataString(accountName)}?secret={base32}&issuer={escapedIssuer}&algorithm=SHA1&digits={Digits}&period={PeriodSeconds}");
    }

    /// <summary>
    /// Checks <paramref name="code"/> against the current step and one step either side. A code whose step is not
    /// after <paramref name="lastUsedStep"/> is refused as a replay, even though it is otherwise correct.
    /// </summary>
    public TotpVerification Verify(byte[] secret, string code, long? lastUsedStep)
    {
        if (!TryNormalise(code, out var digits))
            return TotpVerification.Refused(MfaFailureCodes.CodeInvalid);

        var nowStep = time.GetUtcNow().ToUnixTimeSeconds() / PeriodSeconds;
        var totp = new Totp(secret, PeriodSeconds, OtpHashMode.Sha1, Digits);
        var submitted = Encoding.ASCII.GetBytes(digits);

        long? freshMatch = null;
        long? replayedMatch = null;
        // Every candidate step is computed and compared so the time taken does not reveal which step matched.
        for (var step = nowStep - AllowedDriftSteps; step <= nowStep + AllowedDriftSteps; step++)
        {
            var expected = Encoding.ASCII.GetBytes(totp.ComputeTotp(StepStart(step)));
            if (!CryptographicOperations.FixedTimeEquals(expected, submitted))
                continue;
            if (lastUsedStep is { } last && step <= last)
                replayedMatch = step;
            else
                freshMatch ??= step;
        }

        if (freshMatch is { } matched)
            return TotpVerification.Accepted(matched);
        return replayedMatch is { } replayed
            ? TotpVerification.Refused(MfaFailureCodes.CodeReplayed, replayed)
            : TotpVerification.Refused(MfaFailureCodes.CodeIncorrect);
    }

    private static DateTime StepStart(long step) =>
        DateTimeOffset.FromUnixTimeSeconds(step * PeriodSeconds).UtcDateTime;

    /// <summary>Accepts "123456", " 123456 " and "123 456"; anything else is not a code.</summary>
    private static bool TryNormalise(string? input, out string digits)
    {
        digits = "";
        if (input is null)
            return false;
        var trimmed = input.Trim();
        if (trimmed.Length == Digits + 1 && trimmed[Digits / 2] == ' ')
            trimmed = string.Concat(trimmed.AsSpan(0, Digits / 2), trimmed.AsSpan(Digits / 2 + 1));
        if (trimmed.Length != Digits)
            return false;
        foreach (var c in trimmed)
        {
            if (!char.IsAsciiDigit(c))
                return false;
        }

        digits = trimmed;
        return true;
    }

    private static void RequireLabelPart(string value, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value, name);
        // Key Uri Format: ':' separates issuer from account in the label; neither may contain it.
        if (value.Contains(':', StringComparison.Ordinal))
            throw new ArgumentException("The issuer and account name must not contain ':'.", name);
    }
}
