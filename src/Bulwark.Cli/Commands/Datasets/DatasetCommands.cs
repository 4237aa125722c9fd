using System.CommandLine;
using System.Globalization;
using Bulwark.Cli.Connection;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Datasets;

/// <summary><c>bulwark dataset import|list</c>.</summary>
internal static class DatasetCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("dataset", "Import and list datasets (stored encrypted on the server)");
        command.Subcommands.Add(Import(console));
        command.Subcommands.Add(List(console));
        return command;
    }

    private static Command Import(CliConsole console)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "CSV file with a header row (RFC 4180)" };
        var name = new Option<string>("--name") { Description = "Dataset name", Required = true };
        var classification = new Option<string>("--classification")
        {
            Description = "Data classification: public, internal, confidential or restricted",
            Required = true,
        };
        classification.AcceptOnlyFromAmong("public", "internal", "confidential", "restricted");
        var label = new Option<string?>("--label") { Description = "Label (target) column" };
        var command = new Command("import", "Import a CSV dataset") { file, name, classification, label };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var path = parse.GetRequiredValue(file);
            if (!path.Exists)
            {
                throw new CliUsageException($"File '{path.FullName}' does not exist.");
            }

            using var client = connection.CreateClient(parse);
            await using var csv = path.OpenRead();
            var info = await client.ImportDatasetAsync(parse.GetRequiredValue(name), parse.GetRequiredValue(classification), parse.GetValue(label), csv, ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Imported dataset {info.Name}: id {info.Id}, {info.RowCount} rows, {info.Columns.Count} columns, classification {info.Classification}"));
            console.Out.WriteLine($"SHA-256 {info.ContentDigest}");
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List datasets");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var datasets = await client.ListDatasetsAsync(ct);
            var table = new Table().AddColumns("Id", "Name", "Classification", "Rows", "Columns", "Created");
            foreach (var d in datasets)
            {
                table.AddRow(
                    TerminalText.Cell(d.Id.ToString()),
                    TerminalText.Cell(d.Name),
                    TerminalText.Cell(d.Classification),
                    d.RowCount.ToString(CultureInfo.InvariantCulture),
                    d.Columns.Count.ToString(CultureInfo.InvariantCulture),
                    d.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
