using System.Globalization;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Privacy;

/// <summary>
/// One retention pass over every project (GDPR Art. 5(1)(e), storage limitation): deletes captured predictions and
/// their feedback past the project's capture retention, and datasets past its dataset retention (rows, then the
/// encrypted objects). Every pass writes one audit event with what it purged per project and kind, also when nothing.
/// </summary>
internal sealed class RetentionPurge(
    IDbContextFactory<BulwarkDbContext> contexts, ArtifactStore artifacts, AuditLedger ledger, IOptions<MonitoringOptions> monitoring, TimeProvider time)
{
    public async Task<RetentionReport> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var defaultDays = Math.Max(1, (int)Math.Ceiling(monitoring.Value.CaptureRetention.TotalDays));
        await using var db = await contexts.CreateDbContextAsync(ct);
        var projects = await db.Projects.AsNoTracking().OrderBy(p => p.Id).ToListAsync(ct);
        var perProject = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        int captures = 0, labels = 0, datasets = 0;
        var failed = 0;
        foreach (var project in projects)
        {
            // One project failing (a locked row, an unreadable object) neither stops the others nor goes unrecorded.
            try
            {
                var cutoff = now - TimeSpan.FromDays(project.CaptureRetentionDays ?? defaultDays);
                var id = project.Id;
                var expired = db.CapturedPredictions.IgnoreQueryFilters().Where(c => c.ProjectId == id && c.At < cutoff);
                var l = await db.FeedbackLabels.IgnoreQueryFilters()
                    .Where(f => f.ProjectId == id && (f.At < cutoff || expired.Any(c => c.Id == f.PredictionId))).ExecuteDeleteAsync(ct);
                var c = await expired.ExecuteDeleteAsync(ct);

                var d = 0;
                if (project.DatasetRetentionDays is { } days)
                {
                    var datasetCutoff = now - TimeSpan.FromDays(days);
                    var old = await db.Datasets.IgnoreQueryFilters().Where(x => x.ProjectId == id && x.CreatedAt < datasetCutoff).ToListAsync(ct);
                    if (old.Count > 0)
                    {
                        db.Datasets.RemoveRange(old);
                        await db.SaveChangesAsync(ct);
                        foreach (var dataset in old)
                        {
                            artifacts.Delete(DatasetImporter.ArtifactPurpose, dataset.StoredObjectId);
                        }

                        d = old.Count;
                    }
                }

                captures += c;
                labels += l;
                datasets += d;
                perProject[id] = new SortedDictionary<string, object?>(StringComparer.Ordinal)
                {
                    ["captures"] = c,
                    ["feedbackLabels"] = l,
                    ["datasets"] = d,
                    ["capturesBefore"] = cutoff.ToString("O", CultureInfo.InvariantCulture),
                };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failed++;
                db.ChangeTracker.Clear();
                perProject[project.Id] = new SortedDictionary<string, object?>(StringComparer.Ordinal) { ["error"] = ex.GetType().Name };
            }
        }

        await ledger.AppendAsync(new AuditEntry(AuditCodes.RetentionPurged, "privacy.retention", "system", "retention", failed == 0 ? "success" : "failure", Details: new Dictionary<string, object?>
        {
            ["captures"] = captures,
            ["feedbackLabels"] = labels,
            ["datasets"] = datasets,
            ["projects"] = perProject,
        }));
        return new RetentionReport(captures, labels, datasets);
    }
}

internal sealed record RetentionReport(int Captures, int FeedbackLabels, int Datasets);
