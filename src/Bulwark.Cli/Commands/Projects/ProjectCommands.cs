using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Bulwark.Client.Contracts;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Projects;

/// <summary><c>bulwark project create|list</c>.</summary>
internal static class ProjectCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("project", "Projects: the tenant boundary (needs projects:manage)");
        var id = new Argument<string>("id") { Description = "Project id: lowercase letters, digits and '-'" };
        var name = new Option<string?>("--name") { Description = "Display name" };
        var profile = new Option<string?>("--password-profile") { Description = "nist-800-63b (default) or pci-dss-4 for cardholder data" };
        var create = new Command("create", "Create a project") { id, name, profile };
        var createConnection = ConnectionOptions.AddTo(create);
        create.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = createConnection.CreateClient(parse);
            var project = await client.CreateProjectAsync(new CreateProjectRequest(parse.GetRequiredValue(id), parse.GetValue(name), parse.GetValue(profile)), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Created project {project.Id} (password profile {project.PasswordProfile})"));
            return ExitCodes.Success;
        }, ct));

        var list = new Command("list", "List projects");
        var listConnection = ConnectionOptions.AddTo(list);
        list.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = listConnection.CreateClient(parse);
            var table = new Table().AddColumns("Id", "Name", "Password profile", "Created");
            foreach (var p in await client.ListProjectsAsync(ct))
            {
                table.AddRow(TerminalText.Cell(p.Id), TerminalText.Cell(p.DisplayName), TerminalText.Cell(p.PasswordProfile), p.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        command.Subcommands.Add(create);
        command.Subcommands.Add(list);
        return command;
    }
}
