using System.CommandLine;
using System.Text.Json;
using Bulwark.Cli.Connection;

namespace Bulwark.Cli.Commands.Predictions;

/// <summary><c>bulwark predict NAME --data JSON|@file</c>.</summary>
internal static class PredictCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var data = new Option<string>("--data")
        {
            Description = "Request JSON ({\"instances\":[{...}]} or just the [{...}] array), or @path to read it from a file (@- for stdin)",
            Required = true,
        };
        var command = new Command("predict", "Get predictions from a model's production version") { name, data };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var body = await ReadDataAsync(parse.GetRequiredValue(data), ct);
            using var client = connection.CreateClient(parse, forPrediction: true);
            var response = await client.PredictAsync(parse.GetRequiredValue(name), body, ct);
            console.Out.WriteLine(JsonSerializer.Serialize(response, Json));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static async Task<string> ReadDataAsync(string value, CancellationToken ct)
    {
        if (!value.StartsWith('@'))
        {
            return value;
        }

        var path = value[1..];
        if (path == "-")
        {
            return await Console.In.ReadToEndAsync(ct);
        }

        if (!File.Exists(path))
        {
            throw new CliUsageException($"File '{path}' does not exist.");
        }

        return await File.ReadAllTextAsync(path, ct);
    }
}
