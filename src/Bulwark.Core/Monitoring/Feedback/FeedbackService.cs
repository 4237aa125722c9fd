using System.Globalization;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Takes feedback labels for captured predictions and judges them in batches: a batch in which one principal supplied
/// more than <see cref="MonitoringOptions.FeedbackMaxShare"/> of the labels is held for review instead of counting
/// (a single source flipping labels is the classic poisoning of a feedback loop). Held batches are released or
/// discarded by someone with <c>models:promote</c>.
/// </summary>
internal sealed class FeedbackService(
    BulwarkDbContext db, ProjectScope project, EnvelopeEncryption sealer, AuditLedger audit, IOptions<MonitoringOptions> options, TimeProvider time)
{
    public const string LabelPurpose = "feedback-label";
    private const int MaxLabelLength = 256;

    public sealed record Submitted(Guid Id, string State);

    public async Task<Outcome<Submitted>> SubmitAsync(string model, Guid predictionId, int row, string? label, string principal, string? client, CancellationToken ct)
    {
        if (label is null || label.Length is 0 or > MaxLabelLength || label.Any(char.IsControl))
        {
            return MonitoringErrors.Invalid($"The label must be 1 to {MaxLabelLength} printable characters.");
        }

        var captured = await db.CapturedPredictions.AsNoTracking().FirstOrDefaultAsync(c => c.Id == predictionId && c.ModelName == model && c.ShadowOf == null, ct);
        if (captured is null)
        {
            return MonitoringErrors.UnknownPrediction(model);
        }

        if (row < 0 || row >= captured.Rows)
        {
            return MonitoringErrors.Invalid($"The prediction has {captured.Rows} rows; row must be 0 to {captured.Rows - 1}.");
        }

        var version = await db.ModelVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == captured.VersionId, ct);
        var schema = version is null ? null : ModelVersionView.TrySchema(sealer, version);
        if (schema is null)
        {
            return MonitoringErrors.UnknownPrediction(model);
        }

        if (schema.Output.Task == "regression")
        {
            if (!double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                return MonitoringErrors.Invalid("The model is a regression: the label must be a finite number.");
            }

            label = value.ToString("R", CultureInfo.InvariantCulture);
        }
        else if (schema.Output.Classes is not { } classes || !classes.Contains(label, StringComparer.Ordinal))
        {
            return MonitoringErrors.Invalid("The label is not one of the model's classes.");
        }

        if (await db.FeedbackLabels.AnyAsync(f => f.PredictionId == predictionId && f.Row == row, ct))
        {
            return new Failure(MonitoringErrors.DuplicateCode, 409, "This row of the prediction already has feedback.");
        }

        var id = Guid.CreateVersion7(time.GetUtcNow());
        db.FeedbackLabels.Add(new FeedbackLabel
        {
            Id = id,
            ProjectId = project.Required,
            ModelName = model,
            PredictionId = predictionId,
            Row = row,
            Label = SealedColumn.Seal(sealer, label, id, LabelPurpose),
            Principal = principal,
            At = time.GetUtcNow(),
        });
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.FeedbackReceived, "model.feedback", principal, $"model/{model}/{captured.Version}", "success", client,
            new Dictionary<string, object?> { ["predictionId"] = predictionId.ToString("D"), ["row"] = row }, project.Required), ct);
        return new Submitted(id, FeedbackStates.Pending);
    }

    /// <summary>
    /// Judges the model's pending labels as one batch once there are at least <see cref="MonitoringOptions.FeedbackMinBatch"/>:
    /// accepted, or held when one principal dominates it. Returns the batch id and whether it was held; null while too few.
    /// </summary>
    public async Task<(Guid Batch, bool Held, int Count)?> JudgePendingAsync(string model, CancellationToken ct)
    {
        var pending = await db.FeedbackLabels.Where(f => f.ModelName == model && f.State == FeedbackStates.Pending).ToListAsync(ct);
        var settings = options.Value;
        if (pending.Count < settings.FeedbackMinBatch)
        {
            return null;
        }

        // Counted per accountable person: one person's several keys or clients are one source.
        var people = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var principal in pending.Select(f => f.Principal).Distinct(StringComparer.Ordinal))
        {
            people[principal] = await Accountability.ResolveAsync(db, principal, ct);
        }

        var top = pending.GroupBy(f => people[f.Principal], StringComparer.Ordinal).Select(g => (Principal: g.Key, Count: g.Count())).MaxBy(g => g.Count);
        var share = (double)top.Count / pending.Count;
        var held = share > settings.FeedbackMaxShare;
        var batch = Guid.CreateVersion7(time.GetUtcNow());
        foreach (var label in pending)
        {
            label.State = held ? FeedbackStates.Held : FeedbackStates.Accepted;
            label.BatchId = batch;
        }

        var details = new Dictionary<string, object?>
        {
            ["batch"] = batch.ToString("D"),
            ["labels"] = pending.Count,
            ["principals"] = people.Values.Distinct(StringComparer.Ordinal).Count(),
            ["topShare"] = Math.Round(share, 3),
        };
        if (held)
        {
            details["topPrincipal"] = top.Principal;
        }

        await audit.SaveChangesAsync(db, new AuditEntry(held ? AuditCodes.FeedbackBatchHeld : AuditCodes.FeedbackBatchAccepted,
            held ? "model.feedback-hold" : "model.feedback-accept", "system", $"model/{model}", held ? "denied" : "success", Details: details,
            ProjectId: project.Required), ct);
        return (batch, held, pending.Count);
    }

    /// <summary>A reviewer's decision on a held batch: release (its labels count) or discard (they never will).</summary>
    public async Task<Outcome<int>> DecideAsync(string model, Guid batch, bool release, string principal, string? client, CancellationToken ct)
    {
        var labels = await db.FeedbackLabels.Where(f => f.ModelName == model && f.BatchId == batch).ToListAsync(ct);
        if (labels.Count == 0)
        {
            return new Failure(MonitoringErrors.BatchNotFoundCode, 404, "No such feedback batch for this model.");
        }

        if (labels.Any(f => f.State != FeedbackStates.Held))
        {
            return new Failure(MonitoringErrors.BatchNotHeldCode, 409, "The batch is not held for review.");
        }

        // The dominant contributor of a held batch cannot wave it through themselves, nor with another credential of theirs.
        var dominant = labels.GroupBy(f => f.Principal, StringComparer.Ordinal).MaxBy(g => g.Count())!.Key;
        if (release && await Accountability.ResolveAsync(db, dominant, ct) == await Accountability.ResolveAsync(db, principal, ct))
        {
            return new Failure(MonitoringErrors.SelfReviewCode, 403, "The principal who supplied most of a held batch cannot release it.");
        }

        foreach (var label in labels)
        {
            label.State = release ? FeedbackStates.Accepted : FeedbackStates.Discarded;
        }

        await audit.SaveChangesAsync(db, new AuditEntry(release ? AuditCodes.FeedbackBatchReleased : AuditCodes.FeedbackBatchDiscarded,
            release ? "model.feedback-release" : "model.feedback-discard", principal, $"model/{model}", "success", client,
            new Dictionary<string, object?> { ["batch"] = batch.ToString("D"), ["labels"] = labels.Count }, project.Required), ct);
        return labels.Count;
    }

    public string OpenLabel(FeedbackLabel label) => SealedColumn.Open(sealer, label.Label, label.Id, LabelPurpose);
}
