using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Storage;
using Bulwark.Core.Tests.Datasets;
using Bulwark.Core.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Core.Tests.Training;

public sealed class TrainingJobsTests
{
    private static async Task<Dataset> ImportBinaryAsync(CoreTestEnvironment env)
    {
        var outcome = await DatasetTestData.ImportAsync(env, TrainingTestData.BinaryCsv(), label: "outcome");
        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        return outcome.Value;
    }

    private static async Task<Outcome<TrainingJob>> SubmitAsync(CoreTestEnvironment env, string model, TrainingRequest request)
    {
        await using var scope = env.Scope();
        return await scope.ServiceProvider.GetRequiredService<TrainingJobs>().SubmitAsync(model, request, "key:bwk_test", "127.0.0.1");
    }

    private static async Task<TrainingJob?> RunAsync(CoreTestEnvironment env, Guid id)
    {
        await using var scope = env.Scope();
        return await scope.ServiceProvider.GetRequiredService<TrainingRunner>().RunAsync(id);
    }

    [Fact]
    public async Task SubmitAndRun_SmallBinaryDataset_RegistersVersionAndAudits()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var dataset = await ImportBinaryAsync(env);

        var submitted = await SubmitAsync(env, "fraud", new TrainingRequest(dataset.Id, "outcome", Runtime: TrainingTasks.Onnx));
        Assert.True(submitted.Succeeded, submitted.Failure?.Detail);
        Assert.Equal(JobState.Queued, submitted.Value.State);
        Assert.True(env.Services.GetRequiredService<TrainingQueue>().Reader.TryRead(out var queued));
        Assert.Equal(submitted.Value.Id, queued);

        var job = await RunAsync(env, submitted.Value.Id);

        Assert.NotNull(job);
        Assert.True(job.State == JobState.Succeeded, job.Message);
        Assert.Equal(1, job.ResultVersion);
        Assert.Equal(1.0, job.Progress);
        await using var scope = env.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        var version = await db.ModelVersions.SingleAsync();
        Assert.Equal("fraud", version.ModelName);
        Assert.Equal("onnx", version.Format);
        Assert.Equal(dataset.Id, version.DatasetId);
        Assert.Contains("accuracy", version.MetricsJson, StringComparison.Ordinal);
        var codes = await db.AuditEvents.OrderBy(e => e.Sequence).Select(e => e.Code).ToListAsync();
        Assert.Contains(AuditCodes.TrainingRequested, codes);
        Assert.Contains(AuditCodes.TrainingSucceeded, codes);
        var succeeded = await db.AuditEvents.SingleAsync(e => e.Code == AuditCodes.TrainingSucceeded);
        Assert.Equal("model/fraud/1", succeeded.Resource);
        Assert.Contains(submitted.Value.Id.ToString(), succeeded.Details, StringComparison.Ordinal);
        Assert.Contains(version.ManifestDigest, succeeded.Details, StringComparison.Ordinal);
        Assert.True((await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync()).Valid);

        // Running the same job again does nothing: a job never registers two versions.
        var again = await RunAsync(env, submitted.Value.Id);
        Assert.Equal(JobState.Succeeded, again!.State);
        Assert.Equal(1, await db.ModelVersions.CountAsync());
    }

    [Fact]
    public async Task Run_TamperedDatasetFile_FailsJobWithTrainingFailed()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var dataset = await ImportBinaryAsync(env);
        var submitted = await SubmitAsync(env, "fraud", new TrainingRequest(dataset.Id, "outcome"));
        var path = env.Services.GetRequiredService<ArtifactStore>().FullPath(DatasetImporter.ArtifactPurpose, dataset.Id.ToString("N"));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x80;
        await File.WriteAllBytesAsync(path, bytes);

        var job = await RunAsync(env, submitted.Value!.Id);

        Assert.Equal(JobState.Failed, job!.State);
        Assert.Equal(TrainingErrors.Failed, job.ErrorCode);
        Assert.Null(job.ResultVersion);
        await using var scope = env.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        Assert.Equal(0, await db.ModelVersions.CountAsync());
        var stored = (await scope.ServiceProvider.GetRequiredService<TrainingJobs>().GetAsync(job.Id)).Value!;
        Assert.Equal(0.1, stored.Progress); // the last step reached ("loading dataset") was persisted
        Assert.Equal(JobState.Failed, stored.State);
        var failed = await db.AuditEvents.SingleAsync(e => e.Code == AuditCodes.TrainingFailed);
        Assert.Contains(DatasetErrors.IntegrityFailed, failed.Details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bad Name", "outcome", TrainingTasks.Binary, 0.2, TrainingErrors.InvalidRequest)]
    [InlineData("../etc", "outcome", TrainingTasks.Binary, 0.2, TrainingErrors.InvalidRequest)]
    [InlineData("fraud", "missing", TrainingTasks.Binary, 0.2, TrainingErrors.InvalidRequest)]
    [InlineData("fraud", "region", TrainingTasks.Regression, 0.2, TrainingErrors.InvalidRequest)]
    [InlineData("fraud", "outcome", TrainingTasks.Binary, 0.9, TrainingErrors.InvalidRequest)]
    [InlineData("fraud", "outcome", "clustering", 0.2, TrainingErrors.InvalidRequest)]
    public async Task SubmitAsync_InvalidRequest_FailsWithoutQueuing(string model, string label, string task, double fraction, string code)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var dataset = await ImportBinaryAsync(env);

        var outcome = await SubmitAsync(env, model, new TrainingRequest(dataset.Id, label, task, HoldoutFraction: fraction));

        Assert.Equal(code, outcome.Failure?.Code);
        Assert.Equal(400, outcome.Failure!.Status);
        Assert.False(env.Services.GetRequiredService<TrainingQueue>().Reader.TryRead(out _));
        await using var scope = env.Scope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().Jobs.CountAsync());
    }

    [Fact]
    public async Task SubmitAsync_BinaryOnThreeClassLabel_FailsBeforeQueuing()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var dataset = (await DatasetTestData.ImportAsync(env, TrainingTestData.MulticlassCsv(30), label: "species")).Value!;

        var outcome = await SubmitAsync(env, "iris", new TrainingRequest(dataset.Id, "species", TrainingTasks.Binary));

        Assert.Equal(TrainingErrors.InvalidRequest, outcome.Failure?.Code);
        Assert.Contains("exactly 2", outcome.Failure!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAsync_UnknownDataset_Fails404()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var outcome = await SubmitAsync(env, "fraud", new TrainingRequest(Guid.NewGuid(), "outcome"));

        Assert.Equal(DatasetErrors.NotFound, outcome.Failure?.Code);
        Assert.Equal(404, outcome.Failure!.Status);
    }

    [Fact]
    public async Task GetAsync_UnknownJob_Fails404()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();

        var outcome = await scope.ServiceProvider.GetRequiredService<TrainingJobs>().GetAsync(Guid.NewGuid());

        Assert.Equal(TrainingErrors.JobNotFound, outcome.Failure?.Code);
        Assert.Equal(404, outcome.Failure!.Status);
    }

    [Fact]
    public async Task RecoverAsync_AfterCrash_FailsRunningJobsAndRequeuesQueuedOnes()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var dataset = await ImportBinaryAsync(env);
        var running = (await SubmitAsync(env, "fraud", new TrainingRequest(dataset.Id, "outcome"))).Value!;
        env.Time.Advance(TimeSpan.FromSeconds(1));
        var queued = (await SubmitAsync(env, "fraud", new TrainingRequest(dataset.Id, "outcome"))).Value!;
        Assert.Equal(1, await env.ExecuteSqlAsync($"UPDATE jobs SET State = '{JobState.Running}' WHERE Id = '{running.Id.ToString().ToUpperInvariant()}'"));

        await using var scope = env.Scope();
        var requeued = await scope.ServiceProvider.GetRequiredService<TrainingRunner>().RecoverAsync();

        Assert.Equal([queued.Id], requeued);
        var jobs = scope.ServiceProvider.GetRequiredService<TrainingJobs>();
        var interrupted = (await jobs.GetAsync(running.Id)).Value!;
        Assert.Equal(JobState.Failed, interrupted.State);
        Assert.Equal(TrainingErrors.Interrupted, interrupted.ErrorCode);
        Assert.Equal(JobState.Queued, (await jobs.GetAsync(queued.Id)).Value!.State);
    }

    [Fact]
    public async Task Worker_QueuedJob_RunsItInTheBackground()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var dataset = await ImportBinaryAsync(env);
        var worker = env.Services.GetServices<IHostedService>().OfType<TrainingWorker>().Single();
        await worker.StartAsync(CancellationToken.None);
        try
        {
            var submitted = (await SubmitAsync(env, "fraud", new TrainingRequest(dataset.Id, "outcome", Trainer: TrainingTasks.LightGbm))).Value!;

            TrainingJob job;
            using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            do
            {
                await Task.Delay(50, patience.Token);
                await using var scope = env.Scope();
                job = (await scope.ServiceProvider.GetRequiredService<TrainingJobs>().GetAsync(submitted.Id)).Value!;
            }
            while (job.State is JobState.Queued or JobState.Running);

            Assert.True(job.State == JobState.Succeeded, job.Message);
            Assert.Equal(1, job.ResultVersion);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task RunAsync_SameJobTwiceConcurrently_RegistersOneVersion()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var dataset = await ImportBinaryAsync(env);
        var submitted = (await SubmitAsync(env, "fraud", new TrainingRequest(dataset.Id, "outcome", Trainer: TrainingTasks.LightGbm))).Value!;

        var results = await Task.WhenAll(RunAsync(env, submitted.Id), RunAsync(env, submitted.Id));

        Assert.Contains(results, j => j!.State == JobState.Succeeded);
        await using var scope = env.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        Assert.Equal(1, await db.ModelVersions.CountAsync());
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.Code == AuditCodes.TrainingSucceeded));
    }
}
