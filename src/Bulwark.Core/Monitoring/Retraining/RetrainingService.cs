using System.Globalization;
using Bulwark.Core.Audit;
using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Bulwark.Core.Training;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Runs a model's retraining policy: trains a candidate on the newest dataset with the policy's name, with the
/// production version's signed training parameters, then moves it to staging through the registry (so the promotion
/// gates decide, and the version was produced by <see cref="Principal"/>, never by a person who could approve it).
/// Production is always a person's approval (four eyes). Every step is an audit event and the training is a job.
/// </summary>
internal sealed class RetrainingService(
    BulwarkDbContext db, ProjectScope project, TrainingJobs jobs, ModelRegistry registry, ModelLoader loader, AuditLedger audit, TimeProvider time)
{
    public const string Principal = "system:retraining";

    /// <summary>Starts a retraining unless one for the model is still training; null when nothing was started.</summary>
    public async Task<RetrainingRun?> StartAsync(string model, RetrainingPolicy policy, string trigger, ModelVersion production, CancellationToken ct)
    {
        if (await db.RetrainingRuns.AnyAsync(r => r.ModelName == model && r.State == RetrainingStates.Training, ct))
        {
            return null;
        }

        var content = (await loader.VerifyOnlyAsync(production, ct)).Manifest?.Content;
        var dataset = await db.Datasets.AsNoTracking().Where(d => d.Name == policy.Dataset).OrderByDescending(d => d.CreatedAt).FirstOrDefaultAsync(ct);
        var p = content?.Parameters;
        string? problem = null;
        if (dataset is null)
        {
            problem = $"no dataset named '{policy.Dataset}' in the project";
        }
        else if (content is null || p is null || !p.TryGetValue("label", out _))
        {
            problem = "the production version was not trained here (no signed training parameters to repeat)";
        }

        if (problem is not null)
        {
            await audit.AppendAsync(Entry(AuditCodes.RetrainingFailed, model, trigger, "failure", new() { ["reason"] = problem }));
            return null;
        }

        var request = new TrainingRequest(
            dataset!.Id,
            p!["label"],
            content!.Task,
            content.Trainer ?? TrainingTasks.Sdca,
            double.TryParse(p.GetValueOrDefault("holdout_fraction"), NumberStyles.Float, CultureInfo.InvariantCulture, out var holdout) ? holdout : 0.2,
            int.TryParse(p.GetValueOrDefault("seed"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : 42,
            content.Format == TrainingTasks.Onnx ? TrainingTasks.Onnx : TrainingTasks.MlNet,
            p.GetValueOrDefault("positive_class"));
        var job = await jobs.SubmitAsync(model, request, Principal, null, ct);
        if (!job.Succeeded)
        {
            await audit.AppendAsync(Entry(AuditCodes.RetrainingFailed, model, trigger, "failure", new() { ["reason"] = job.Failure.Detail, ["code"] = job.Failure.Code }));
            return null;
        }

        var run = new RetrainingRun
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            ProjectId = project.Required,
            ModelName = model,
            Trigger = trigger,
            JobId = job.Value.Id,
            At = time.GetUtcNow(),
        };
        db.RetrainingRuns.Add(run);
        await audit.SaveChangesAsync(db, Entry(AuditCodes.RetrainingStarted, model, trigger, "success",
            new() { ["job"] = job.Value.Id.ToString("D"), ["dataset"] = dataset.Id.ToString("D") }), ct);
        return run;
    }

    /// <summary>Moves finished retrainings on: a trained candidate goes to staging through the gates.</summary>
    public async Task<IReadOnlyList<RetrainingRun>> AdvanceAsync(CancellationToken ct)
    {
        var open = await db.RetrainingRuns.Where(r => r.State == RetrainingStates.Training).ToListAsync(ct);
        foreach (var run in open)
        {
            var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == run.JobId, ct);
            if (job is null || job.State is JobState.Queued or JobState.Running)
            {
                continue;
            }

            if (job.State != JobState.Succeeded || job.ResultVersion is not { } version)
            {
                run.State = RetrainingStates.Failed;
                run.Detail = job.ErrorCode ?? "the training job failed";
                await audit.SaveChangesAsync(db, Entry(AuditCodes.RetrainingFailed, run.ModelName, run.Trigger, "failure", new() { ["job"] = run.JobId.ToString("D"), ["code"] = job.ErrorCode }), ct);
                continue;
            }

            run.Version = version;
            var staged = await registry.PromoteAsync(run.ModelName, version, ModelStage.Staging, Principal, null, ct);
            run.State = staged.Succeeded ? RetrainingStates.Staged : RetrainingStates.Gated;
            run.Detail = staged.Succeeded ? "in staging, waiting for production approval" : staged.Failure.Detail;
            await audit.SaveChangesAsync(db, Entry(staged.Succeeded ? AuditCodes.RetrainingStaged : AuditCodes.RetrainingFailed, run.ModelName, run.Trigger,
                staged.Succeeded ? "success" : "denied", new() { ["version"] = version, ["reason"] = staged.Succeeded ? null : staged.Failure.Code }), ct);
        }

        return open;
    }

    private AuditEntry Entry(int code, string model, string trigger, string outcome, Dictionary<string, object?> details)
    {
        details["trigger"] = trigger;
        return new AuditEntry(code, "model.retrain", Principal, $"model/{model}", outcome, Details: details, ProjectId: project.Required);
    }
}
