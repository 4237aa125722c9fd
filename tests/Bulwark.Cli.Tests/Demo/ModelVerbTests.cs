using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Datasets;
using Bulwark.Core.Training;

namespace Bulwark.Cli.Tests.Demo;

/// <summary>The dataset and model verbs against the running demo, over HTTPS with the admin key from demo.json.</summary>
[Collection(DemoCollection.Name)]
public sealed class ModelVerbTests(DemoFixture demo)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task DatasetImportThenModelTrainWait_ShowsMetrics()
    {
        var import = await CliRun.ExecuteAsync("dataset", "import", RepositoryData.BreastCancerCsv, "--name", "bc-cli",
            "--classification", "confidential", "--label", "diagnosis", "--data-dir", demo.DataDir);
        Assert.True(import.Exit == 0, import.Stderr);
        var id = import.Stdout.Split("id ")[1].Split(',')[0];

        var train = await CliRun.ExecuteAsync("model", "train", "bc-cli", "--dataset", id, "--label", "diagnosis",
            "--trainer", "lightgbm", "--wait", "--data-dir", demo.DataDir);

        Assert.True(train.Exit == 0, train.Stderr + train.Stdout);
        Assert.Contains("Trained bc-cli version 1", train.Stdout, StringComparison.Ordinal);
        Assert.Contains("accuracy", train.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelImport_RealOnnxThenPromote_ServesPredictions()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Path);
        var trained = TrainOnnx();
        await File.WriteAllBytesAsync(temp.Combine("model.onnx"), trained.Files[ModelTrainer.ModelOnnx]);
        var schema = new ImportModelSchema("binary",
            [.. trained.FeatureSchema.Features.Select(f => new FeatureInfo(f.Name, "numeric"))],
            trained.FeatureSchema.Output.Classes, trained.FeatureSchema.Output.OnnxInput, trained.FeatureSchema.Output.OnnxOutput);
        await File.WriteAllTextAsync(temp.Combine("schema.json"), JsonSerializer.Serialize(schema, Json));

        var import = await CliRun.ExecuteAsync("model", "import", "bc-onnx", temp.Combine("model.onnx"), "--schema", temp.Combine("schema.json"), "--data-dir", demo.DataDir);
        Assert.True(import.Exit == 0, import.Stderr);
        Assert.Contains("Imported bc-onnx version 1 (onnx, stage candidate)", import.Stdout, StringComparison.Ordinal);

        var promote = await CliRun.ExecuteAsync("model", "promote", "bc-onnx", "--version", "1", "--data-dir", demo.DataDir);
        Assert.True(promote.Exit == 0, promote.Stderr);
        Assert.Contains("bc-onnx version 1 is now production", promote.Stdout, StringComparison.Ordinal);

        var request = Cli.Commands.Demo.DemoDataset.FirstRowRequest(RepositoryData.BreastCancerCsv);
        var predict = await CliRun.ExecuteAsync("predict", "bc-onnx", "--data", request, "--url", demo.DemoJson.GetProperty("baseUrl").GetString()!,
            "--api-key", demo.DemoJson.GetProperty("adminApiKey").GetString()!, "--ca-cert", demo.DemoJson.GetProperty("caCertPath").GetString()!);
        Assert.True(predict.Exit == 0, predict.Stderr);
        Assert.Contains("\"label\": \"malignant\"", predict.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelImport_PickleRenamedOnnx_IsRefusedWithAStableCode()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Path);

        // Protocol 2 pickle header + GLOBAL opcode ("c__builtin__\neval\n"): what a malicious "model" looks like.
        await File.WriteAllBytesAsync(temp.Combine("evil.onnx"), [0x80, 0x02, .. "c__builtin__\neval\n(S'1'\ntR."u8.ToArray()]);
        var schema = new ImportModelSchema("binary", [new FeatureInfo("x", "numeric")], ["a", "b"]);
        await File.WriteAllTextAsync(temp.Combine("schema.json"), JsonSerializer.Serialize(schema, Json));

        var (exit, _, stderr) = await CliRun.ExecuteAsync("model", "import", "evil", temp.Combine("evil.onnx"), "--schema", temp.Combine("schema.json"), "--data-dir", demo.DataDir);

        Assert.Equal(3, exit);
        Assert.StartsWith("error: registry.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelPromote_UnknownVersion_ExitsThree()
    {
        var (exit, _, stderr) = await CliRun.ExecuteAsync("model", "promote", "breast-cancer", "--version", "999", "--data-dir", demo.DataDir);

        Assert.Equal(3, exit);
        Assert.StartsWith("error: registry.", stderr, StringComparison.Ordinal);
    }

    private static TrainedModel TrainOnnx()
    {
        var bytes = File.ReadAllBytes(RepositoryData.BreastCancerCsv);
        var parsed = DatasetImporter.Parse(System.Text.Encoding.UTF8.GetString(bytes), new DatasetsOptions(), "diagnosis", null,
            Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.True(parsed.Succeeded);
        var trained = ModelTrainer.Train(parsed.Value, new TrainingRequest(Guid.Empty, "diagnosis", Runtime: TrainingTasks.Onnx));
        Assert.True(trained.Succeeded, trained.Failure?.Detail);
        return trained.Value;
    }
}
