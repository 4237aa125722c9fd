using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Client.Contracts;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Keys;

/// <summary><c>bulwark key create|list|revoke</c>.</summary>
internal static class KeyCommands
{
    public static Command Create(CliConsole console, TimeProvider time)
    {
        var command = new Command("key", "Create, list and revoke API keys");
        command.Subcommands.Add(CreateKey(console, time));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Revoke(console));
        return command;
    }

    private static Command CreateKey(CliConsole console, TimeProvider time)
    {
        var name = new Option<string>("--name") { Description = "A name that says who or what uses the key", Required = true };
        var scopes = new Option<string[]>("--scope")
        {
            Description = "Scope (repeatable): admin, datasets:read|write, models:read|write|promote, keys:manage, audit:read, predict:<model>, predict:*",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var expires = new Option<string?>("--expires") { Description = "Expiry: a duration (30d, 12h) or an ISO 8601 date" };
        var instance = new Option<bool>("--instance") { Description = "For every project (instance administrators; metrics:read, audit:read, incidents:read only), e.g. a Prometheus scraper" };
        var command = new Command("create", "Create an API key (the secret is shown once)") { name, scopes, expires, instance };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var expiry = parse.GetValue(expires) is { } e ? ExpiryParser.Parse(e, time) : (DateTimeOffset?)null;
            using var client = connection.CreateClient(parse);
            var created = await client.CreateKeyAsync(new CreateApiKeyRequest(parse.GetRequiredValue(name), parse.GetRequiredValue(scopes), expiry, parse.GetValue(instance)), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Created key {created.Info.Prefix} ({created.Info.Name}) scopes: {string.Join(' ', created.Info.Scopes)}"
                + (created.Info.ExpiresAt is { } at ? $", expires {at.ToString("u", CultureInfo.InvariantCulture)}" : ", never expires")));
            console.Out.WriteLine();
            console.Out.WriteLine(created.Key);
            console.Out.WriteLine();
            console.Error.WriteLine("warning: this is the only time the key is shown. Store it in a secret manager; the server keeps only a hash.");
            foreach (var warning in created.Warnings)
            {
                console.Error.WriteLine(TerminalText.Sanitize($"warning: {warning}"));
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List API keys (never their secrets)");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var keys = await client.ListKeysAsync(ct);
            var table = new Table().AddColumns("Prefix", "Name", "Scopes", "Created", "Expires", "Revoked");
            foreach (var k in keys)
            {
                table.AddRow(
                    TerminalText.Cell(k.Prefix),
                    TerminalText.Cell(k.Name),
                    TerminalText.Cell(string.Join(' ', k.Scopes)),
                    k.CreatedAt.ToString("u", CultureInfo.InvariantCulture),
                    k.ExpiresAt?.ToString("u", CultureInfo.InvariantCulture) ?? "never",
                    k.RevokedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Revoke(CliConsole console)
    {
        var prefix = new Argument<string>("PREFIX") { Description = "The key's public prefix (see 'key list')" };
        var command = new Command("revoke", "Revoke an API key immediately") { prefix };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            await client.RevokeKeyAsync(parse.GetRequiredValue(prefix), ct);
            console.Out.WriteLine($"Revoked {parse.GetRequiredValue(prefix)}");
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
