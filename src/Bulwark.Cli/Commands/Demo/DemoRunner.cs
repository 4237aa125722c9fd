using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Cli.Commands.Models;
using Bulwark.Cli.Commands.Serve;
using Bulwark.Cli.Connection;
using Bulwark.Client;
using Bulwark.Client.Contracts;
using Bulwark.Core.Crypto;
using Bulwark.Server;
using Bulwark.Server.Initialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Bulwark.Cli.Commands.Demo;

/// <summary>
/// The demo drives a real in-process server through its HTTPS API with the admin key, exactly as an operator's
/// scripts would: nothing touches the database directly, so the demo exercises authentication, validation and audit.
/// </summary>
internal sealed class DemoRunner(CliConsole console, TimeProvider time, string dataDir, int port, string csvPath, string runtime)
{
    public const string ModelName = "breast-cancer";
    public const string DatasetName = "breast-cancer-wisconsin";
    private const string PendingFileName = ".demo-pending.json";

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var pendingPath = Path.Combine(dataDir, PendingFileName);
        var state = DemoFile.TryRead(dataDir) ?? DemoFile.TryReadFile(pendingPath);
        string? adminKeyShownNow = null;
        if (state is null)
        {
            var storage = new StorageOptions { DataDir = dataDir };
            if (File.Exists(storage.MasterKeyPath) || File.Exists(storage.DatabasePath))
            {
                throw new CliUsageException($"'{dataDir}' is initialised but has no {DemoFile.FileName}: it was not created by 'bulwark demo'. Use another --data-dir.");
            }

            var init = await DataDirectoryInitializer.InitializeAsync(dataDir, new InitOptions(Time: time), ct);
            if (!init.Succeeded)
            {
                console.WriteError(init.Failure.Code, init.Failure.Detail);
                return ExitCodes.Usage;
            }

            adminKeyShownNow = init.Value.AdminKey;
            state = new DemoFile(string.Empty, string.Empty, ModelName, init.Value.AdminKey, init.Value.CertificatePath);

            // Saved before anything else can fail, so a re-run can still reach this instance with its admin key.
            state.WriteTo(pendingPath);
            console.Out.WriteLine($"Initialised {dataDir}");
        }
        else
        {
            console.Out.WriteLine($"Reusing {dataDir}");
        }

        string[] args = ["--data-dir", dataDir, "--port", port.ToString(CultureInfo.InvariantCulture)];
        // The demo has one operator, so nobody could give the second pair of eyes that production needs; a throwaway
        // instance switches four eyes off (and says so). `bulwark serve` keeps it on.
        await using var app = BulwarkServer.Build(args, builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Bulwark:Registry:RequireFourEyes"] = "false" });
        });
        await app.StartAsync(ct);
        var baseUrl = BulwarkServer.BoundUrl(app);

        using var admin = new BulwarkClient(baseUrl, state.AdminApiKey, ServerTrust.CaCertificateFile(state.CaCertPath));
        string clientKey;
        try
        {
            await EnsureProductionModelAsync(admin, ct);
            clientKey = await EnsureClientKeyAsync(baseUrl, state, admin, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C while setting up is still a clean stop; a re-run picks up where this one left off.
            await ServeCommand.WaitForStopAsync(app, ct);
            console.Out.WriteLine("Demo stopped before it was ready; run it again to finish.");
            return ExitCodes.Success;
        }

        state = state with { BaseUrl = baseUrl.ToString().TrimEnd('/'), ApiKey = clientKey, Model = ModelName };
        state.Write(dataDir);
        File.Delete(pendingPath);

        PrintSummary(state, adminKeyShownNow);
        await ServeCommand.WaitForStopAsync(app, ct);
        console.Out.WriteLine("Demo stopped.");
        return ExitCodes.Success;
    }

    private async Task EnsureProductionModelAsync(BulwarkClient admin, CancellationToken ct)
    {
        var versions = await admin.ListModelsAsync(ct);
        if (versions.FirstOrDefault(v => v.Model == ModelName && v.Stage == "production") is { } existing)
        {
            console.Out.WriteLine($"Model {ModelName} v{existing.Version} is already in production: skipping training.");
            return;
        }

        var datasets = await admin.ListDatasetsAsync(ct);
        var dataset = datasets.FirstOrDefault(d => d.Name == DatasetName);
        if (dataset is null)
        {
            await using var csv = File.OpenRead(csvPath);

            // Health data: "restricted" is the classification HIPAA-style PHI gets (strictest handling, no raw inputs in audit).
            dataset = await admin.ImportDatasetAsync(DatasetName, "restricted", DemoDataset.Label, csv, ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Imported {dataset.Name}: {dataset.RowCount} rows, classification {dataset.Classification}, SHA-256 {dataset.ContentDigest}"));
        }

        var job = await admin.TrainAsync(ModelName, new TrainModelRequest(dataset.Id, DemoDataset.Label, "binary", "sdca", 0.2, 42, runtime), ct);
        job = await JobProgress.WaitAsync(console, admin, job, ct);
        if (job.State != "succeeded" || job.Version is not { } version)
        {
            throw new BulwarkApiException(500, job.ErrorCode ?? ErrorCodes.TrainingFailed, "Training failed", job.Message ?? "the training job failed");
        }

        versions = await admin.ListModelsAsync(ct);
        if (versions.FirstOrDefault(v => v.Model == ModelName && v.Version == version) is { } trained)
        {
            ModelCommands.WriteMetrics(console, trained);
        }

        var promoted = await admin.PromoteAsync(ModelName, new PromoteRequest(version), ct);
        console.Out.WriteLine(TerminalText.Sanitize($"Signed and promoted {promoted.Model} v{promoted.Version} to {promoted.Stage} (manifest {promoted.ManifestDigest})"));
        console.Out.WriteLine("Four eyes is off in this single-operator demo; `bulwark serve` requires approvers other than whoever trained a version.");
    }

    /// <summary>Reuses the demo's client key while it still works; otherwise (first run, revoked, expired) creates one.</summary>
    private async Task<string> EnsureClientKeyAsync(Uri baseUrl, DemoFile state, BulwarkClient admin, CancellationToken ct)
    {
        var sample = DemoDataset.FirstRowRequest(csvPath);
        if (state.ApiKey.Length > 0)
        {
            try
            {
                using var existing = new BulwarkClient(baseUrl, state.ApiKey, ServerTrust.CaCertificateFile(state.CaCertPath));
                var check = await existing.PredictAsync(ModelName, sample, ct);
                console.Out.WriteLine(TerminalText.Sanitize($"Client key still valid (sample prediction: {check.Predictions[0].Label})"));
                return state.ApiKey;
            }
            catch (BulwarkApiException ex) when (ex.StatusCode is 401 or 403)
            {
                console.Out.WriteLine("The saved client key no longer works: creating a new one.");
            }
        }

        var created = await admin.CreateKeyAsync(
            new CreateApiKeyRequest("demo-client", [$"predict:{ModelName}"], time.GetUtcNow().AddDays(30)), ct);
        using var client = new BulwarkClient(baseUrl, created.Key, ServerTrust.CaCertificateFile(state.CaCertPath));
        var prediction = await client.PredictAsync(ModelName, sample, ct);
        console.Out.WriteLine(TerminalText.Sanitize($"Created client key {created.Info.Prefix} (scope predict:{ModelName}, expires in 30 days); sample prediction: {prediction.Predictions[0].Label}"));
        return created.Key;
    }

    private void PrintSummary(DemoFile state, string? adminKeyShownNow)
    {
        using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(state.CaCertPath));
        var sample = DemoDataset.FirstRowRequest(csvPath);
        var o = console.Out;
        o.WriteLine();
        o.WriteLine($"Bulwark demo is serving {state.BaseUrl}");
        o.WriteLine($"  TLS certificate SHA-256: {ServerTrust.FormatFingerprint(cert)}");
        o.WriteLine($"  Settings for scripts:    {DemoFile.PathIn(dataDir)} (mode 0600)");
        o.WriteLine();
        o.WriteLine("Get a prediction:");
        o.WriteLine();
        o.WriteLine($"curl --cacert {state.CaCertPath} -H 'Authorization: ApiKey {state.ApiKey}' -H 'Content-Type: application/json' -d '{sample}' {state.BaseUrl}/v1/models/{ModelName}:predict");
        o.WriteLine();
        if (adminKeyShownNow is not null)
        {
            o.WriteLine("Admin API key (shown ONCE; also saved in demo.json because this is a throwaway demo instance):");
            o.WriteLine($"  {adminKeyShownNow}");
            console.Error.WriteLine("warning: the admin key grants full control. Never reuse a demo data directory for real data.");
            o.WriteLine();
        }

        o.WriteLine("Press Ctrl+C to stop.");
        o.Flush();
    }
}
