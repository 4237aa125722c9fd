using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Client;
using Bulwark.Client.Contracts;

namespace Bulwark.Cli.Commands.Identity;

/// <summary><c>bulwark login|logout|whoami</c> and <c>bulwark mfa enrol</c>.</summary>
internal static class AuthCommands
{
    public static IEnumerable<Command> Create(CliConsole console)
    {
        yield return Login(console);
        yield return Logout(console);
        yield return WhoAmI(console);
        var mfa = new Command("mfa", "Multi-factor authentication for the signed-in user");
        mfa.Subcommands.Add(Enrol(console));
        yield return mfa;
    }

    private static Command Login(CliConsole console)
    {
        var user = new Option<string>("--user") { Description = "Login name", Required = true };
        var code = new Option<string?>("--code") { Description = "Current TOTP code (or a recovery code), when MFA is enrolled" };
        var stdin = new Option<bool>("--password-stdin") { Description = $"Read the password from stdin (else env {Secrets.PasswordVariable}, else a prompt)" };
        var print = new Option<bool>("--print-token") { Description = "Also print the access token (for scripts: export BULWARK_TOKEN=...)" };
        var command = new Command("login", "Sign in with a password (and TOTP); the session is stored for the other commands") { user, code, stdin, print };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var (url, trust, fingerprint, caCert) = connection.ResolveServer(parse);
            var login = parse.GetRequiredValue(user);
            var password = Secrets.ReadPassword(console, parse.GetValue(stdin), "Password:");
            using var anonymous = BulwarkClient.Anonymous(url, trust);
            TokenResponse tokens;
            try
            {
                tokens = await anonymous.LoginAsync(new LoginRequest(login, password, parse.GetValue(code)), ct);
            }
            catch (BulwarkApiException ex) when (ex.Code == ErrorCodes.MfaRequired && string.IsNullOrWhiteSpace(parse.GetValue(code)))
            {
                // The password was right and a second factor is due: ask for it (or explain --code when not interactive).
                var second = Secrets.ReadCode(console, null, "Authenticator code:");
                tokens = await anonymous.LoginAsync(new LoginRequest(login, password, second), ct);
            }

            var path = SessionFile.DefaultPath();
            new SessionFile(url.ToString(), fingerprint, caCert, login, tokens.AccessToken, tokens.ExpiresAt, tokens.RefreshToken).WriteTo(path);
            console.Out.WriteLine(TerminalText.Sanitize($"Signed in as {login} ({string.Join('+', tokens.Amr)}); access token valid until "
                + tokens.ExpiresAt.ToString("u", CultureInfo.InvariantCulture) + $", session stored in {path} (mode 0600)."));
            foreach (var warning in tokens.Warnings)
            {
                console.Error.WriteLine(TerminalText.Sanitize("warning: " + warning));
            }

            if (parse.GetValue(print))
            {
                console.Out.WriteLine(tokens.AccessToken);
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Logout(CliConsole console)
    {
        var command = new Command("logout", "End the stored session on the server that issued it, then delete it locally");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var path = SessionFile.DefaultPath();
            if (SessionFile.TryRead(path) is not { } session)
            {
                console.Out.WriteLine("Not signed in.");
                return ExitCodes.Success;
            }

            // A refresh token goes only to the server that issued it, whatever --url or BULWARK_URL say.
            var (url, trust, _, _) = connection.ResolveServer(parse);
            if (!string.Equals(session.BaseUrl.TrimEnd('/'), url.ToString().TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                throw new CliUsageException($"The stored session belongs to {session.BaseUrl}, not {url}; run 'bulwark logout' with --url {session.BaseUrl} (or without --url).");
            }

            using (var anonymous = BulwarkClient.Anonymous(url, trust))
            {
                await anonymous.LogoutAsync(session.RefreshToken, ct);
            }

            File.Delete(path);
            console.Out.WriteLine("Signed out.");
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command WhoAmI(CliConsole console)
    {
        var command = new Command("whoami", "Show who the server thinks you are, your roles and permissions");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var me = await client.WhoAmIAsync(ct);
            console.Out.WriteLine(TerminalText.Sanitize($"{me.Name} ({me.Kind}, {me.Id}); MFA: {(me.Mfa ? "yes" : "no")}"));
            console.Out.WriteLine(TerminalText.Sanitize($"roles: {(me.Roles.Count == 0 ? "-" : string.Join(' ', me.Roles))}"));
            console.Out.WriteLine(TerminalText.Sanitize($"permissions: {(me.Permissions.Count == 0 ? "-" : string.Join(' ', me.Permissions))}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Enrol(CliConsole console)
    {
        var code = new Option<string?>("--code") { Description = "The first code the authenticator shows (else a prompt)" };
        var codeStdin = new Option<bool>("--code-stdin")
        {
            Description = "Read the first code from stdin once the secret is shown (for scripts: the secret is new each run, so no code can be passed up front)",
        };
        var enrolmentCode = new Option<string?>("--enrolment-code") { Description = "One-time code from an administrator (needed when you hold a privileged role)" };
        var command = new Command("enrol", "Enrol a TOTP authenticator; prints one-time recovery codes") { code, codeStdin, enrolmentCode };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            if (parse.GetValue(codeStdin) && !string.IsNullOrWhiteSpace(parse.GetValue(code)))
            {
                throw new CliUsageException("Pass either --code or --code-stdin, not both.");
            }

            if (!parse.GetValue(codeStdin) && string.IsNullOrWhiteSpace(parse.GetValue(code)) && !console.Ansi.Profile.Capabilities.Interactive)
            {
                // Checked before the enrolment starts: a secret shown to nobody who can answer would only be replaced by the next run.
                throw new CliUsageException("No terminal to ask for the first code: pass --code-stdin and write the code to stdin once the secret is shown.");
            }

            using var client = connection.CreateClient(parse);
            var enrolment = await client.BeginTotpAsync(parse.GetValue(enrolmentCode), ct);
            console.Out.WriteLine("Add this to your authenticator app (scan the URI as a QR code, or type the secret):");
            console.Out.WriteLine(TerminalText.Sanitize("  " + enrolment.OtpAuthUri));
            console.Out.WriteLine(TerminalText.Sanitize("  secret: " + enrolment.Secret));
            console.Out.Flush();
            var first = parse.GetValue(codeStdin)
                ? (await console.In.ReadLineAsync(ct))?.Trim() ?? throw new CliUsageException("--code-stdin was given but stdin ended before a code.")
                : Secrets.ReadCode(console, parse.GetValue(code), "Code shown by the authenticator:");
            var recovery = await client.ConfirmTotpAsync(first, ct);
            console.Out.WriteLine("MFA enrolled. Recovery codes (each works once; shown ONCE):");
            foreach (var c in recovery.RecoveryCodes)
            {
                console.Out.WriteLine(TerminalText.Sanitize("  " + c));
            }

            console.Error.WriteLine("warning: store the recovery codes offline now (a password manager or paper). Then sign in again with a code: 'bulwark login --user <you> --code <code>'.");
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
