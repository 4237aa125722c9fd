using Bulwark.Core.Audit;
using Bulwark.Core.Datasets;
using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Bulwark.Core.Training;

/// <summary>
/// Runs one training job to its end state: load → split → fit → evaluate → sign and register, persisting progress
/// as it goes. The worker calls it per queued job; tests call it directly to run a job synchronously.
/// </summary>
internal sealed partial class TrainingRunner(
    IDbContextFactory<BulwarkDbContext> contexts,
    ProjectScope project,
    AuditLedger ledger,
    DatasetCatalog catalog,
    ModelRegistrar registrar,
    TimeProvider time,
    ILogger<TrainingRunner> logger)
{
    /// <summary>Runs the job if it is Queued and returns its final row; null if the job does not exist.</summary>
    /// <remarks>Cancellation (shutdown) leaves the job Running; <see cref="RecoverAsync"/> fails it on the next start.</remarks>
    public async Task<TrainingJob?> RunAsync(Guid jobId, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // Claim the job atomically (Queued → Running in one conditional UPDATE): an id queued twice, or picked up by
        // two workers, runs once; running a job twice would register two versions.
        var now = time.GetUtcNow();
        // The worker sees every project's jobs; the job's own project then scopes the dataset read and the registration.
        var claimed = await db.Jobs.IgnoreQueryFilters().Where(j => j.Id == jobId && j.State == JobState.Queued).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, JobState.Running)
            .SetProperty(j => j.Progress, 0.05)
            .SetProperty(j => j.Message, "starting")
            .SetProperty(j => j.UpdatedAt, now), cancellationToken);
        var job = await db.Jobs.IgnoreQueryFilters().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        if (claimed == 0 || job is null)
        {
            return job;
        }

        project.Enter(job.ProjectId);

        Log.Started(logger, job.Id, job.ModelName);
        using var span = Telemetry.BulwarkTracing.StartTraining(job.ModelName, job.Id);

        try
        {
            var request = TrainingRequest.FromJson(job.RequestJson);
            var progress = new JobProgress(contexts, time, logger, job.Id);
            progress.Report(new TrainingProgress(0.1, "loading dataset"));
            var loaded = await catalog.LoadAsync(request.DatasetId, cancellationToken);
            if (!loaded.Succeeded)
            {
                return await FailAsync(db, job, loaded.Failure.Code, loaded.Failure.Detail, cancellationToken);
            }

            // Fitting is synchronous and CPU-bound: keep it off the caller's thread.
            var trained = await Task.Run(() => ModelTrainer.Train(loaded.Value, request, progress, cancellationToken), cancellationToken);
            if (!trained.Succeeded)
            {
                return await FailAsync(db, job, trained.Failure.Code, trained.Failure.Detail, cancellationToken);
            }

            progress.Report(new TrainingProgress(1.0, "signing and registering"));
            var model = trained.Value;
            var registered = await registrar.RegisterAsync(new NewModelVersion(
                job.ModelName, model.Format, request.Task, model.FeatureSchema, model.Files, model.Metrics, loaded.Value.Id,
                loaded.Value.ContentDigest, request.Trainer, model.Parameters, job.CreatedBy, ClientAddress: null, JobId: job.Id), cancellationToken);
            if (!registered.Succeeded)
            {
                return await FailAsync(db, job, registered.Failure.Code, registered.Failure.Detail, cancellationToken);
            }

            var version = registered.Value;
            job.State = JobState.Succeeded;
            job.Progress = 1.0;
            job.Message = $"registered {version.ModelName} version {version.Version}";
            job.ResultVersion = version.Version;
            job.ErrorCode = null;
            job.UpdatedAt = time.GetUtcNow();

            // The success event (TrainingSucceeded, with the job id and metrics) was written by the registrar in the
            // same transaction as the version row; this save only completes the job.
            await db.SaveChangesAsync(cancellationToken);
            Log.Succeeded(logger, job.Id, version.ModelName, version.Version);
            return job;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Unexpected (an ML.NET or I/O error): log it fully here, store only a generic message on the job.
            Log.Crashed(logger, ex, job.Id);
            return await FailAsync(db, job, TrainingErrors.Failed, "Training stopped on an internal error; see the server log.", CancellationToken.None);
        }
    }

    /// <summary>
    /// After a restart: jobs left Running are failed with <see cref="TrainingErrors.Interrupted"/> (their partial work is
    /// gone, and silently re-running could surprise whoever is polling); jobs still Queued are returned, oldest first,
    /// for the worker to queue again.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> RecoverAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var open = await db.Jobs.IgnoreQueryFilters().Where(j => j.State == JobState.Running || j.State == JobState.Queued).ToListAsync(cancellationToken);
        var interrupted = open.Where(j => j.State == JobState.Running).ToList();
        if (interrupted.Count > 0)
        {
            var now = time.GetUtcNow();
            foreach (var job in interrupted)
            {
                job.State = JobState.Failed;
                job.ErrorCode = TrainingErrors.Interrupted;
                job.Message = "The server stopped while this job was running; submit it again.";
                job.UpdatedAt = now;
            }

            await ledger.SaveChangesAsync(db, interrupted.Select(j => new AuditEntry(
                AuditCodes.TrainingFailed, "model.train", j.CreatedBy, "job/" + j.Id, "failure", null,
                new Dictionary<string, object?> { ["model"] = j.ModelName, ["code"] = TrainingErrors.Interrupted }, j.ProjectId)), cancellationToken);
        }

        return [.. open.Where(j => j.State == JobState.Queued).OrderBy(j => j.CreatedAt).Select(j => j.Id)];
    }

    private async Task<TrainingJob> FailAsync(BulwarkDbContext db, TrainingJob job, string cause, string detail, CancellationToken cancellationToken)
    {
        job.State = JobState.Failed;
        job.ErrorCode = TrainingErrors.Failed;
        job.Message = detail;
        job.UpdatedAt = time.GetUtcNow();
        await ledger.SaveChangesAsync(db, new AuditEntry(
            AuditCodes.TrainingFailed, "model.train", job.CreatedBy, "job/" + job.Id, "failure", null,
            new Dictionary<string, object?> { ["model"] = job.ModelName, ["code"] = TrainingErrors.Failed, ["cause"] = cause }, job.ProjectId), cancellationToken);
        Log.Failed(logger, job.Id, cause);
        return job;
    }

    /// <summary>Persists progress from the training thread; a lost progress update must never fail the job.</summary>
    private sealed class JobProgress(IDbContextFactory<BulwarkDbContext> contexts, TimeProvider time, ILogger logger, Guid jobId) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            try
            {
                using var db = contexts.CreateDbContext();
                var now = time.GetUtcNow();
                db.Jobs.IgnoreQueryFilters().Where(j => j.Id == jobId).ExecuteUpdate(s => s
                    .SetProperty(j => j.Progress, value.Fraction)
                    .SetProperty(j => j.Message, value.Message)
                    .SetProperty(j => j.UpdatedAt, now));
            }
            catch (DbUpdateException ex)
            {
                Log.ProgressLost(logger, ex, jobId);
            }
            catch (InvalidOperationException ex)
            {
                Log.ProgressLost(logger, ex, jobId);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3100, LogLevel.Information, "Training job {JobId} for model {Model} started")]
        public static partial void Started(ILogger logger, Guid jobId, string model);

        [LoggerMessage(3101, LogLevel.Information, "Training job {JobId} registered {Model} version {Version}")]
        public static partial void Succeeded(ILogger logger, Guid jobId, string model, int version);

        [LoggerMessage(3102, LogLevel.Warning, "Training job {JobId} failed: {Cause}")]
        public static partial void Failed(ILogger logger, Guid jobId, string cause);

        [LoggerMessage(3103, LogLevel.Error, "Training job {JobId} crashed")]
        public static partial void Crashed(ILogger logger, Exception exception, Guid jobId);

        [LoggerMessage(3104, LogLevel.Warning, "Progress of training job {JobId} could not be saved")]
        public static partial void ProgressLost(ILogger logger, Exception exception, Guid jobId);
    }
}
