using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bulwark.Cli.Connection;
using Bulwark.Client.Contracts;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Models;

/// <summary><c>bulwark model train|import|list|promote</c> (export, verify, signing-key, bom: <see cref="ModelArtifactCommands"/>).</summary>
internal static class ModelCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Command Create(CliConsole console)
    {
        var command = new Command("model", "Train, import, list and promote model versions");
        command.Subcommands.Add(Train(console));
        command.Subcommands.Add(Import(console));
        command.Subcommands.Add(List(console));
        command.Subcommands.Add(Promote(console));
        PromotionCommands.AddTo(command, console);
        ChallengerCommands.AddTo(command, console);
        MonitoringCommands.AddTo(command, console);
        ModelArtifactCommands.AddTo(command, console);
        return command;
    }

    private static Command Train(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var dataset = new Option<Guid>("--dataset") { Description = "Dataset id", Required = true };
        var label = new Option<string>("--label") { Description = "Label column", Required = true };
        var task = new Option<string>("--task") { Description = "binary, multiclass or regression", DefaultValueFactory = _ => "binary" };
        task.AcceptOnlyFromAmong("binary", "multiclass", "regression");
        var trainer = new Option<string>("--trainer") { Description = "sdca, fasttree or lightgbm", DefaultValueFactory = _ => "sdca" };
        trainer.AcceptOnlyFromAmong("sdca", "fasttree", "lightgbm");
        var holdout = new Option<double>("--holdout") { Description = "Hold-out fraction for evaluation", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<int>("--seed") { Description = "Random seed (reproducible splits and training)", DefaultValueFactory = _ => 42 };
        var runtime = new Option<string>("--runtime") { Description = "Serving runtime: mlnet or onnx", DefaultValueFactory = _ => "mlnet" };
        runtime.AcceptOnlyFromAmong("mlnet", "onnx");
        var wait = new Option<bool>("--wait") { Description = "Wait for the job, showing progress and metrics" };
        var command = new Command("train", "Train a new candidate version on the server") { name, dataset, label, task, trainer, holdout, seed, runtime, wait };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var model = parse.GetRequiredValue(name);
            var request = new TrainModelRequest(
                parse.GetValue(dataset),
                parse.GetRequiredValue(label),
                parse.GetRequiredValue(task),
                parse.GetRequiredValue(trainer),
                parse.GetValue(holdout),
                parse.GetValue(seed),
                parse.GetRequiredValue(runtime));
            var job = await client.TrainAsync(model, request, ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Training job {job.Id} {job.State}"));
            if (!parse.GetValue(wait))
            {
                return ExitCodes.Success;
            }

            job = await JobProgress.WaitAsync(console, client, job, ct);
            if (job.State != "succeeded")
            {
                console.WriteError(job.ErrorCode ?? ErrorCodes.TrainingFailed, job.Message ?? "training failed");
                return ExitCodes.ApiError;
            }

            var versions = await client.ListModelsAsync(ct);
            var trained = versions.FirstOrDefault(v => v.Model == model && v.Version == job.Version);
            console.Out.WriteLine(TerminalText.Sanitize($"Trained {model} version {job.Version}"));
            if (trained is not null)
            {
                WriteMetrics(console, trained);
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Import(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var file = new Argument<FileInfo>("FILE") { Description = "ONNX model file (float tensor input [N, width])" };
        var schema = new Option<FileInfo>("--schema") { Description = "JSON feature schema (task, features, classes, inputName, outputName)", Required = true };
        var signature = new Option<FileInfo?>("--signature") { Description = "OpenSSF model-signing bundle over FILE by a signer the server trusts" };
        var command = new Command("import", "Import an ONNX model as a new candidate version") { name, file, schema, signature };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var modelFile = parse.GetRequiredValue(file);
            var schemaFile = parse.GetRequiredValue(schema);
            var signatureFile = parse.GetValue(signature);
            foreach (var f in signatureFile is null ? new[] { modelFile, schemaFile } : [modelFile, schemaFile, signatureFile])
            {
                if (!f.Exists)
                {
                    throw new CliUsageException($"File '{f.FullName}' does not exist.");
                }
            }

            ImportModelSchema parsed;
            try
            {
                parsed = JsonSerializer.Deserialize<ImportModelSchema>(await File.ReadAllTextAsync(schemaFile.FullName, ct), Json)
                    ?? throw new CliUsageException("The schema file is empty.");
            }
            catch (JsonException ex)
            {
                throw new CliUsageException($"The schema file is not valid JSON: {ex.Message}", ex);
            }

            using var client = connection.CreateClient(parse);
            await using var onnx = modelFile.OpenRead();
            ModelVersionInfo info;
            if (signatureFile is null)
            {
                info = await client.ImportModelAsync(parse.GetRequiredValue(name), onnx, parsed, ct);
            }
            else
            {
                await using var bundle = signatureFile.OpenRead();
                info = await client.ImportSignedModelAsync(parse.GetRequiredValue(name), onnx, parsed, bundle, ct);
            }

            console.Out.WriteLine(TerminalText.Sanitize($"Imported {info.Model} version {info.Version} ({info.Format}, stage {info.Stage})"));
            if (info.ExternalSigner is not null)
            {
                console.Out.WriteLine(TerminalText.Sanitize($"Signature by trusted signer {info.ExternalSigner} verified"));
            }

            console.Out.WriteLine($"Manifest {info.ManifestDigest}");
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command List(CliConsole console)
    {
        var command = new Command("list", "List model versions");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var versions = await client.ListModelsAsync(ct);
            var table = new Table().AddColumns("Model", "Version", "Stage", "Format", "Task", "Created", "Manifest");
            foreach (var v in versions)
            {
                table.AddRow(
                    TerminalText.Cell(v.Model),
                    v.Version.ToString(CultureInfo.InvariantCulture),
                    TerminalText.Cell(v.Stage),
                    TerminalText.Cell(v.Format),
                    TerminalText.Cell(v.Task),
                    v.CreatedAt.ToString("u", CultureInfo.InvariantCulture),
                    TerminalText.Cell(v.ManifestDigest.Length > 19 ? v.ManifestDigest[..19] + "…" : v.ManifestDigest));
            }

            console.Ansi.Write(table);
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Promote(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var version = new Option<int>("--version") { Description = "Version number", Required = true };
        var stage = new Option<string>("--stage") { Description = "staging, production or retired", DefaultValueFactory = _ => "production" };
        stage.AcceptOnlyFromAmong("staging", "production", "retired");
        var command = new Command("promote", "Move a version to staging or production (or retire it)") { name, version, stage };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var info = await client.PromoteAsync(parse.GetRequiredValue(name), new PromoteRequest(parse.GetValue(version), parse.GetRequiredValue(stage)), ct);
            console.Out.WriteLine(TerminalText.Sanitize($"{info.Model} version {info.Version} is now {info.Stage}"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    public static void WriteMetrics(CliConsole console, ModelVersionInfo version)
    {
        var table = new Table().Title(TerminalText.Cell($"{version.Model} v{version.Version} hold-out metrics")).AddColumns("Metric", "Value");
        foreach (var (metric, value) in version.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            table.AddRow(TerminalText.Cell(metric), value.ToString("0.0000", CultureInfo.InvariantCulture));
        }

        console.Ansi.Write(table);
    }
}
