using System.Globalization;
using System.Text.Json;
using Bulwark.Client;

namespace Bulwark.Cli.Commands.Identity;

/// <summary>Prints why a password was refused and how to pick a better one: the CLI is where habits are learned.</summary>
internal static class PasswordFeedback
{
    public static bool TryWrite(CliConsole console, BulwarkApiException ex)
    {
        if (ex.Code?.StartsWith("password.", StringComparison.Ordinal) != true || ex.Problem is not { } problem)
        {
            return false;
        }

        console.WriteError(ex.Code, ex.Detail ?? "the password was refused");
        if (problem.TryGetProperty("strength", out var strength) && strength.ValueKind == JsonValueKind.Object)
        {
            var score = strength.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32() : 0;
            var log10 = strength.TryGetProperty("guessesLog10", out var g) && g.ValueKind == JsonValueKind.Number ? g.GetDouble() : 0;
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"strength: {score}/4 (about 10^{log10:0.#} guesses)"));
            if (strength.TryGetProperty("warning", out var warning) && warning.ValueKind == JsonValueKind.String)
            {
                console.Error.WriteLine(TerminalText.Sanitize("why: " + warning.GetString()));
            }

            if (strength.TryGetProperty("suggestions", out var suggestions) && suggestions.ValueKind == JsonValueKind.Array)
            {
                foreach (var suggestion in suggestions.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String))
                {
                    console.Error.WriteLine(TerminalText.Sanitize("try: " + suggestion.GetString()));
                }
            }
        }

        console.Error.WriteLine("tip: a passphrase of four or more unrelated words is long, strong and easy to type; a password manager is better still.");
        return true;
    }
}
