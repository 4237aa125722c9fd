using System.Globalization;
using Bulwark.Client;

namespace Bulwark.Cli.Commands.Identity;

/// <summary>Prints why a password was refused and how to pick a better one: the CLI is where habits are learned.</summary>
internal static class PasswordFeedback
{
    public static bool TryWrite(CliConsole console, BulwarkApiException ex)
    {
        if (!PasswordRejection.TryFrom(ex, out var rejection))
        {
            return false;
        }

        console.WriteError(rejection.Code, rejection.Detail);
        if (rejection.Profile is not null)
        {
            console.Error.WriteLine(TerminalText.Sanitize("profile: " + rejection.Profile));
        }

        if (rejection.Strength is { } strength)
        {
            console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"strength: {strength.Score}/4 (about 10^{strength.GuessesLog10:0.#} guesses)"));
            if (strength.Warning is not null)
            {
                console.Error.WriteLine(TerminalText.Sanitize("why: " + strength.Warning));
            }

            foreach (var suggestion in strength.Suggestions)
            {
                console.Error.WriteLine(TerminalText.Sanitize("try: " + suggestion));
            }
        }

        console.Error.WriteLine("tip: a passphrase of four or more unrelated words is long, strong and easy to type; a password manager is better still.");
        return true;
    }
}
