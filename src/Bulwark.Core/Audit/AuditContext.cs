namespace Bulwark.Core.Audit;

/// <summary>
/// Who is calling and from what, for the request being served: the server sets it once after authentication, and every
/// audit event written while serving the request records it, without each feature passing it along.
/// </summary>
internal static class AuditContext
{
    public const int MaxUserAgentLength = 256;
    private static readonly AsyncLocal<AuditCaller?> Ambient = new();

    public static AuditCaller? Current => Ambient.Value;

    public static void Set(string? authMethod, string? userAgent) => Ambient.Value = new AuditCaller(authMethod, Sanitize(userAgent));

    /// <summary>Printable ASCII only, at most <see cref="MaxUserAgentLength"/> characters: the header is attacker-controlled.</summary>
    public static string? Sanitize(string? userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            return null;
        }

        var length = Math.Min(userAgent.Length, MaxUserAgentLength);
        return string.Create(length, userAgent, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= ' ' and <= '~' ? c : '?';
            }
        });
    }
}

/// <summary>The authentication method and user agent of the current request.</summary>
internal sealed record AuditCaller(string? AuthMethod, string? UserAgent);
