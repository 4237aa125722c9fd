using Bulwark.Core.Audit;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Training;

/// <summary>Submits training jobs (validated, persisted Queued with their audit event, then queued) and reads them back.</summary>
internal sealed class TrainingJobs(BulwarkDbContext db, ProjectScope project, DatasetCatalog catalog, AuditLedger ledger, TrainingQueue queue, TimeProvider time)
{
    public const string Kind = "train";

    public async Task<Outcome<TrainingJob>> SubmitAsync(
        string modelName, TrainingRequest request, string principal, string? clientAddress, CancellationToken cancellationToken = default)
    {
        if (!Permissions.IsValidModelName(modelName))
        {
            return TrainingErrors.Invalid("The model name must be 1–64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }

        if (ModelTrainer.ValidateShape(request) is { } invalid)
        {
            return invalid;
        }

        var dataset = await db.Datasets.AsNoTracking().FirstOrDefaultAsync(d => d.Id == request.DatasetId, cancellationToken);
        if (dataset is null)
        {
            return DatasetErrors.Missing(request.DatasetId);
        }

        // What the stored schema can tell without decrypting the data; the rest is checked when the job runs.
        var schema = catalog.ReadSchema(dataset);
        if (!schema.Succeeded)
        {
            return schema.Failure;
        }

        var label = schema.Value.Find(request.LabelColumn);
        if (label is null)
        {
            return TrainingErrors.Invalid($"Dataset {dataset.Id} has no column '{request.LabelColumn}'.");
        }

        if (request.Task == TrainingTasks.Regression && !label.IsNumeric)
        {
            return TrainingErrors.Invalid($"Regression needs a numeric label; '{label.Name}' is categorical.");
        }

        if (label.Categories is { } categories)
        {
            if (request.Task == TrainingTasks.Binary && categories.Count != 2)
            {
                return TrainingErrors.Invalid($"Binary classification needs exactly 2 label classes; '{label.Name}' has {categories.Count}.");
            }

            if (request.Task == TrainingTasks.Multiclass && categories.Count is < 2 or > TrainingTasks.MaxClasses)
            {
                return TrainingErrors.Invalid($"Multiclass classification needs 2–{TrainingTasks.MaxClasses} classes; '{label.Name}' has {categories.Count}.");
            }

            if (request.PositiveClass is not null && !categories.Contains(request.PositiveClass, StringComparer.Ordinal))
            {
                return TrainingErrors.Invalid($"The positive class is not one of the values of '{label.Name}'.");
            }
        }

        var now = time.GetUtcNow();
        var job = new TrainingJob
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = project.Required,
            Kind = Kind,
            State = JobState.Queued,
            Progress = 0,
            Message = "queued",
            ModelName = modelName,
            RequestJson = request.ToJson(),
            CreatedBy = principal,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Jobs.Add(job);
        await ledger.SaveChangesAsync(db, new AuditEntry(
            AuditCodes.TrainingRequested, "model.train", principal, "job/" + job.Id, "success", clientAddress,
            new Dictionary<string, object?>
            {
                ["model"] = modelName,
                ["dataset"] = dataset.Id.ToString(),
                ["dataset_digest"] = dataset.ContentDigest,
                ["task"] = request.Task,
                ["trainer"] = request.Trainer,
                ["runtime"] = request.Runtime,
            }, job.ProjectId), cancellationToken);

        queue.Enqueue(job.Id);
        return job;
    }

    public async Task<Outcome<TrainingJob>> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, cancellationToken);
        return job is null ? new Failure(TrainingErrors.JobNotFound, 404, $"Job {id} does not exist.") : job;
    }
}
