using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;

namespace Bulwark.Cli.Commands.Keys;

/// <summary>
/// <c>bulwark keys list|rotate|disable|enable|rewrap|min-version|destroy|approve-destroy|cancel-destroy</c>: the master key ring
/// (<c>bulwark key</c> is API keys). Changes need an instance administrator signed in with MFA.
/// </summary>
internal static class KeyRingCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("keys", "The master key ring: list, rotate, disable, enable, rewrap, min-version, destroy, approve-destroy, cancel-destroy");
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Rotate(console));
        command.Subcommands.Add(State(console, "disable", enabled: false, "Disable a version: data under it refuses to decrypt (not the primary)"));
        command.Subcommands.Add(State(console, "enable", enabled: true, "Enable a disabled version again"));
        command.Subcommands.Add(Rewrap(console));
        command.Subcommands.Add(Minimum(console));
        command.Subcommands.Add(Destroy(console));
        command.Subcommands.Add(ApproveDestroy(console));
        command.Subcommands.Add(CancelDestroy(console));
        return command;
    }

    private static Option<string?> ReasonOption(Command command)
    {
        var reason = new Option<string?>("--reason") { Description = "Why (recorded in the audit trail)" };
        command.Options.Add(reason);
        return reason;
    }

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "Versions, state, primary, age, provider and objects under each version");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var ring = await client.GetKeyRingAsync(ct);
            console.Out.WriteLine(TerminalText.Sanitize($"provider: {ring.Provider}{(ring.CanRotate ? "" : " (read-only: rotate by adding a key to the provider)")}; minimum decryption version: {ring.MinimumVersion}"));
            console.Out.WriteLine("VERSION  ID                STATE      PRIMARY  AGE (days)  OBJECTS");
            foreach (var v in ring.Versions)
            {
                console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture,
                    $"{v.Version,-8} {v.Id,-17} {v.State,-10} {(v.Primary ? "yes" : ""),-8} {v.AgeDays,-11:0.0} {v.Objects}{(v.Id == ring.DerivationRoot ? "  (derivation root)" : "")}")));
            }

            if (ring.PendingDestroy is { } pending)
            {
                console.Out.WriteLine(TerminalText.Sanitize($"pending destroy of {pending.Version} requested by {pending.RequestedBy}, expires {pending.ExpiresAt:u}: {pending.Reason}"));
            }

            foreach (var key in ring.SigningKeys)
            {
                console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture, $"signing key {key.Purpose} {key.KeyId}: {key.AgeDays:0.0} days old")));
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Rotate(CliConsole console)
    {
        var command = new Command("rotate", "Add a key version and make it primary (older data stays readable until rewrapped)");
        var reason = ReasonOption(command);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var version = await client.RotateKeyRingAsync(parse.GetValue(reason), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"master key version {version.Id} (v{version.Version}) is now primary; run 'bulwark keys rewrap' to move older data under it"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command State(CliConsole console, string name, bool enabled, string description)
    {
        var version = new Argument<string>("version") { Description = "The key version id, e.g. k1f2e3d4c" };
        var force = new Option<bool>("--force") { Description = "Disable even though objects are still under the version (they stop opening at once)" };
        var command = new Command(name, description) { version };
        if (!enabled)
        {
            command.Options.Add(force);
        }

        var reason = ReasonOption(command);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.SetKeyVersionStateAsync(parse.GetRequiredValue(version), enabled, parse.GetValue(force), parse.GetValue(reason), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"key version {result.Id} is {result.State}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Rewrap(CliConsole console)
    {
        var command = new Command("rewrap", "Re-wrap every data key under the primary (data is never decrypted; safe to re-run)");
        var reason = ReasonOption(command);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var report = await client.RewrapKeyRingAsync(parse.GetValue(reason), ct);
            foreach (var store in report.Stores)
            {
                console.Out.WriteLine(TerminalText.Sanitize($"{store.Store}: {store.Rewrapped} rewrapped, {store.Current} already current, {store.Failed} failed, {store.ChangedMeanwhile} changed meanwhile"));
            }

            console.Out.WriteLine(TerminalText.Sanitize($"now: {string.Join(", ", report.After.Select(p => $"{p.Key}={p.Value}"))}"));
            if (report.Failed == 0)
            {
                return ExitCodes.Success;
            }

            console.Error.WriteLine($"error: {report.Failed} object(s) could not be rewrapped and stay under their old key version; see the audit event keyring.rewrap and re-run.");
            return ExitCodes.ApiError;
        }, ct));
        return command;
    }

    private static Command Minimum(CliConsole console)
    {
        var version = new Argument<int>("version") { Description = "The lowest version number (1, 2, …) that may still decrypt" };
        var command = new Command("min-version", "Raise the minimum decryption version (refused while objects remain under older versions)") { version };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var result = await client.SetKeyRingMinimumVersionAsync(parse.GetRequiredValue(version), ct);
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"minimum decryption version is now {result.Version}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Destroy(CliConsole console)
    {
        var version = new Argument<string>("version") { Description = "The key version id to destroy (disabled, not primary, no objects left)" };
        var command = new Command("destroy", "Request the irreversible destroy of a version; a second instance administrator approves it") { version };
        var reason = new Option<string>("--reason") { Description = "Why (recorded in the audit trail)", Required = true };
        command.Options.Add(reason);
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var pending = await client.RequestKeyVersionDestroyAsync(parse.GetRequiredValue(version), parse.GetRequiredValue(reason), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"destroy of {pending.Version} requested; another instance administrator must run 'bulwark keys approve-destroy {pending.Version}' before {pending.ExpiresAt:u}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command ApproveDestroy(CliConsole console)
    {
        var version = new Argument<string>("version") { Description = "The key version id whose destroy another administrator requested" };
        var command = new Command("approve-destroy", "Approve another administrator's destroy request: the key material is destroyed for good") { version };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var destroyed = await client.ApproveKeyVersionDestroyAsync(parse.GetRequiredValue(version), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"key version {destroyed.Id} is {destroyed.State}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command CancelDestroy(CliConsole console)
    {
        var version = new Argument<string>("version") { Description = "The key version id whose pending destroy request to withdraw" };
        var command = new Command("cancel-destroy", "Withdraw a pending destroy request (the version stays disabled)") { version };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var id = parse.GetRequiredValue(version);
            await client.CancelKeyVersionDestroyAsync(id, ct);
            console.Out.WriteLine(TerminalText.Sanitize($"destroy request for {id} withdrawn; {id} stays disabled"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
