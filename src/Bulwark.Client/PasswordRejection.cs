using System.Text.Json;

namespace Bulwark.Client;

/// <summary>
/// A password the server refused (a problem whose <c>code</c> starts with <c>password.</c>), with the extension members
/// that say why: the password <paramref name="Profile"/> it failed (e.g. <c>nist-800-63b</c>) and its
/// <paramref name="Strength"/>. The point of carrying them to the client is teaching: a bare "rejected" teaches nothing.
/// </summary>
public sealed record PasswordRejection(string Code, string Detail, string? Profile, PasswordStrength? Strength)
{
    /// <summary>Reads the rejection from <paramref name="exception"/>; false when it is not a password problem.</summary>
    public static bool TryFrom(BulwarkApiException exception, out PasswordRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(exception);
        rejection = null!;
        if (exception.Code?.StartsWith("password.", StringComparison.Ordinal) != true)
        {
            return false;
        }

        string? profile = null;
        PasswordStrength? strength = null;
        if (exception.Problem is { ValueKind: JsonValueKind.Object } problem)
        {
            profile = problem.TryGetProperty("profile", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            if (problem.TryGetProperty("strength", out var s) && s.ValueKind == JsonValueKind.Object)
            {
                strength = ReadStrength(s);
            }
        }

        rejection = new PasswordRejection(exception.Code, exception.Detail ?? "The password was refused.", profile, strength);
        return true;
    }

    // The document comes from the network: every member is optional and type-checked, never trusted to be well formed.
    private static PasswordStrength ReadStrength(JsonElement strength)
    {
        var score = strength.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var n) ? Math.Clamp(n, 0, 4) : 0;
        var log10 = strength.TryGetProperty("guessesLog10", out var g) && g.ValueKind == JsonValueKind.Number && g.TryGetDouble(out var d) && double.IsFinite(d) ? d : 0;
        var warning = strength.TryGetProperty("warning", out var w) && w.ValueKind == JsonValueKind.String ? w.GetString() : null;
        var suggestions = strength.TryGetProperty("suggestions", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : [];
        return new PasswordStrength(score, log10, string.IsNullOrWhiteSpace(warning) ? null : warning, suggestions);
    }
}
