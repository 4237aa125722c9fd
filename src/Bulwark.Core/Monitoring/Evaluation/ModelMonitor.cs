using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Privacy;
using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Evaluates one production model over the trailing evaluation window: judges pending feedback (poisoning
/// guard), computes live metrics on accepted feedback against the signed hold-out metric, measures drift of the
/// served inputs and predictions against the version's training reference, records a <see cref="MonitoringReport"/>
/// with its audit events, and starts retraining when the model's policy says so.
/// </summary>
internal sealed class ModelMonitor(
    BulwarkDbContext db,
    ProjectScope project,
    ModelRegistry registry,
    LoadedModelCache cache,
    ModelLoader loader,
    FeedbackService feedback,
    RetrainingService retraining,
    DriftGauge gauge,
    EnvelopeEncryption sealer,
    AuditLedger audit,
    IOptions<MonitoringOptions> options,
    TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const int MaxRowsPerCapture = 100_000;

    /// <summary>Most captured requests one evaluation reads (the newest of the window).</summary>
    public const int MaxCapturesPerEvaluation = 5_000;

    /// <summary>Most feedback labels the live metric is computed on (the newest accepted ones).</summary>
    public const int MaxLabelsPerEvaluation = 10_000;

    public async Task<Outcome<MonitoringReport>> EvaluateAsync(string model, CancellationToken ct)
    {
        var production = await registry.GetProductionAsync(model, ct);
        if (!production.Succeeded)
        {
            return production.Failure;
        }

        var row = production.Value;
        var acquired = await cache.AcquireAsync(row, ct);
        if (!acquired.Succeeded)
        {
            return acquired.Failure;
        }

        var loaded = acquired.Value;
        try
        {
            return await EvaluateAsync(row, loaded, ct);
        }
        finally
        {
            loaded.Release();
        }
    }

    private async Task<Outcome<MonitoringReport>> EvaluateAsync(ModelVersion row, LoadedModel loaded, CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var start = now - settings.EvaluationWindow;
        var notes = new List<string>();

        // Feedback first: a batch judged now can already count below.
        if (await feedback.JudgePendingAsync(row.ModelName, ct) is { Held: true } held)
        {
            notes.Add($"feedback batch {held.Batch:D} ({held.Count} labels) held for review: one principal supplied most of it");
        }

        var content = (await loader.VerifyOnlyAsync(row, ct)).Manifest?.Content;
        var live = await LiveMetricAsync(row, loaded.Schema, content?.Metrics, settings, ct);

        // The newest captures of the window, bounded: a busy model captures millions of requests a day, and a sample of
        // this size already gives every statistic far more rows than it needs.
        var captures = await db.CapturedPredictions.AsNoTracking()
            .Where(c => c.ModelName == row.ModelName && c.VersionId == row.Id && c.ShadowOf == null && c.At > start && c.At <= now)
            .OrderByDescending(c => c.At).Take(MaxCapturesPerEvaluation).ToListAsync(ct);
        IReadOnlyList<FeatureDrift> features = [];
        FeatureDrift? predictions = null;
        var rows = captures.Sum(c => c.Rows);
        if (loaded.Reference is not { } reference)
        {
            notes.Add("the version has no training reference profile (imported, or trained before profiles existed): no drift statistics");
        }
        else
        {
            var sample = new LiveSample(reference);
            foreach (var capture in captures)
            {
                try
                {
                    AddCapture(sample, capture, CapturePayload.Open(sealer, capture), loaded);
                }
                catch (CryptographicException)
                {
                    notes.Add($"capture {capture.Id:D} failed authenticated decryption and was skipped");
                }
            }

            if (sample.Rows < settings.MinDriftRows)
            {
                notes.Add($"{sample.Rows} captured rows in the window; drift needs at least {settings.MinDriftRows}");
            }

            (features, predictions) = DriftAnalysis.Analyze(sample, new DriftThresholds(MinRows: settings.MinDriftRows));
            gauge.Record(project.Required, row.ModelName, features, predictions);
        }

        var alerts = new List<string>();
        alerts.AddRange(features.Where(f => f.Level == DriftLevels.Alert).Select(f => $"input drift on '{f.Feature}' ({f.Statistic} {F(f.Value)})"));
        if (predictions is { Level: DriftLevels.Alert })
        {
            alerts.Add($"prediction drift (psi {F(predictions.Value)})");
        }

        if (live is { Alert: true })
        {
            alerts.Add($"live {live.Metric} {F(live.Value)} is below the hold-out {F(live.Baseline ?? 0)} by more than {F(settings.MaxMetricDrop)}");
        }

        var warn = features.Any(f => f.Level == DriftLevels.Warn) || predictions is { Level: DriftLevels.Warn };
        var findings = new MonitoringFindings(live, features, predictions, alerts, notes);
        var report = new MonitoringReport
        {
            Id = Guid.CreateVersion7(now),
            ProjectId = project.Required,
            ModelName = row.ModelName,
            Version = row.Version,
            WindowStart = start,
            WindowEnd = now,
            Rows = rows,
            Labels = live?.Labels ?? 0,
            Status = alerts.Count > 0 ? DriftLevels.Alert : warn ? DriftLevels.Warn : DriftLevels.Ok,
            FindingsJson = JsonSerializer.Serialize(findings, Json),
        };
        db.MonitoringReports.Add(report);

        var resource = $"model/{row.ModelName}/{row.Version}";
        var entries = new List<AuditEntry>
        {
            new(AuditCodes.ModelEvaluated, "model.evaluate", "system", resource, "success", Details: new Dictionary<string, object?>
            {
                ["report"] = report.Id.ToString("D"), ["status"] = report.Status, ["rows"] = report.Rows, ["labels"] = report.Labels,
            }, ProjectId: project.Required),
        };
        var drifted = features.Any(f => f.Level == DriftLevels.Alert) || predictions is { Level: DriftLevels.Alert };
        if (drifted)
        {
            entries.Add(new AuditEntry(AuditCodes.ModelDriftDetected, "model.drift", "system", resource, "failure", Details: new Dictionary<string, object?>
            {
                ["report"] = report.Id.ToString("D"),
                ["features"] = features.Where(f => f.Level == DriftLevels.Alert).Select(f => f.Feature).Take(20).ToArray(),
                ["predictions"] = predictions?.Level,
            }, ProjectId: project.Required));
        }

        if (live is { Alert: true })
        {
            entries.Add(new AuditEntry(AuditCodes.ModelMetricDropped, "model.metric-drop", "system", resource, "failure", Details: new Dictionary<string, object?>
            {
                ["report"] = report.Id.ToString("D"),
                ["metric"] = live.Metric,
                ["value"] = Math.Round(live.Value, 4),
                ["baseline"] = live.Baseline,
            }, ProjectId: project.Required));
        }

        await audit.SaveChangesAsync(db, entries, ct);
        await RetrainIfDueAsync(row, drifted, live is { Alert: true }, now, ct);
        return report;
    }

    /// <summary>
    /// Re-reads a captured request with the version's own parser, so drift sees exactly what the model was given.
    /// Pseudonymised features get valid placeholders for the parser and are then left out of the sample: their tokens are
    /// no data to compare with the training distribution. A withheld body still gives the predictions.
    /// </summary>
    private static void AddCapture(LiveSample sample, CapturedPrediction capture, CapturePayload payload, LoadedModel model)
    {
        foreach (var output in payload.Outputs)
        {
            sample.AddPrediction(output.ToPrediction());
        }

        if (payload.BodyWithheld)
        {
            return;
        }

        var body = payload.Body;
        IReadOnlySet<string>? excluded = null;
        if (payload.Pseudonymised is { Count: > 0 } pseudonymised)
        {
            excluded = pseudonymised.ToHashSet(StringComparer.Ordinal);
            var restored = CaptureBodies.Rewrite(body, capture.Protocol, excluded, (name, _) => Placeholder(model.Schema, name),
                name => model.Schema.Features.FirstOrDefault(f => f.Name == name)?.Kind == FeatureKind.Numeric ? "FP64" : "BYTES", out _);
            if (restored is null)
            {
                return;
            }

            body = restored;
        }

        var protocol = capture.Protocol == "oip-v2" ? PredictionProtocol.OipV2 : PredictionProtocol.V1;
        var parsed = PredictionRequestParser.Parse(body, protocol, model.Index, MaxRowsPerCapture);
        if (!parsed.Succeeded)
        {
            return;
        }

        using var batch = parsed.Value;
        for (var r = 0; r < batch.Rows; r++)
        {
            sample.AddRow(model.Schema, batch.NumericRow(r), batch.CategoricalRow(r), excluded);
        }
    }

    /// <summary>A value the version's parser accepts for <paramref name="feature"/>: its first category, or a number in range.</summary>
    private static System.Text.Json.Nodes.JsonValue? Placeholder(FeatureSchema schema, string feature)
    {
        var spec = schema.Features.FirstOrDefault(f => f.Name == feature);
        if (spec is null)
        {
            return null;
        }

        if (spec.Kind == FeatureKind.Categorical)
        {
            return System.Text.Json.Nodes.JsonValue.Create(spec.Categories is { Count: > 0 } c ? c[0] : "");
        }

        var value = spec.Statistics?.Mean ?? spec.Min ?? spec.Max ?? 0;
        value = Math.Clamp(value, spec.Min ?? double.MinValue, spec.Max ?? double.MaxValue);
        return System.Text.Json.Nodes.JsonValue.Create(value);
    }

    private async Task RetrainIfDueAsync(ModelVersion production, bool drifted, bool metricDropped, DateTimeOffset now, CancellationToken ct)
    {
        if (options.Value.RetrainingFor(production.ProjectId, production.ModelName) is not { Dataset.Length: > 0 } policy)
        {
            return;
        }

        string? trigger = null;
        if (drifted && policy.OnDrift)
        {
            trigger = "drift";
        }
        else if (metricDropped && policy.OnMetricDrop)
        {
            trigger = "metric-drop";
        }
        else if (policy.Every is { } every)
        {
            var last = await db.RetrainingRuns.AsNoTracking().Where(r => r.ModelName == production.ModelName)
                .OrderByDescending(r => r.At).Select(r => (DateTimeOffset?)r.At).FirstOrDefaultAsync(ct);
            if ((last ?? production.PromotedAt ?? production.CreatedAt) + every <= now)
            {
                trigger = "schedule";
            }
        }

        if (trigger is not null)
        {
            await retraining.StartAsync(production.ModelName, policy, trigger, production, ct);
        }
    }

    /// <summary>Accuracy (R² for regression) on accepted feedback for rows the production version served.</summary>
    private async Task<LiveMetric?> LiveMetricAsync(ModelVersion row, FeatureSchema schema, IReadOnlyDictionary<string, double>? signed, MonitoringOptions settings,
        CancellationToken ct)
    {
        var labels = await db.FeedbackLabels.AsNoTracking()
            .Where(f => f.ModelName == row.ModelName && f.State == FeedbackStates.Accepted)
            .Join(db.CapturedPredictions.AsNoTracking().Where(c => c.VersionId == row.Id), f => f.PredictionId, c => c.Id, (f, c) => new { Label = f, Capture = c })
            .OrderByDescending(x => x.Label.At).Take(MaxLabelsPerEvaluation)
            .ToListAsync(ct);
        if (labels.Count == 0)
        {
            return null;
        }

        var pairs = new List<(string Truth, string Served)>(labels.Count);
        foreach (var group in labels.GroupBy(l => l.Capture.Id))
        {
            CapturePayload payload;
            try
            {
                payload = CapturePayload.Open(sealer, group.First().Capture);
            }
            catch (CryptographicException)
            {
                continue;
            }

            foreach (var item in group.Where(i => i.Label.Row < payload.Outputs.Count))
            {
                try
                {
                    pairs.Add((feedback.OpenLabel(item.Label), payload.Outputs[item.Label.Row].Text));
                }
                catch (CryptographicException)
                {
                    // An altered label never counts.
                }
            }
        }

        if (pairs.Count == 0)
        {
            return null;
        }

        string metric;
        double value;
        if (schema.Output.Task == "regression")
        {
            metric = "r2";
            var truth = pairs.Select(p => double.Parse(p.Truth, CultureInfo.InvariantCulture)).ToArray();
            var served = pairs.Select(p => double.Parse(p.Served, CultureInfo.InvariantCulture)).ToArray();
            var mean = truth.Average();
            var total = truth.Sum(t => (t - mean) * (t - mean));
            var residual = truth.Zip(served).Sum(p => (p.First - p.Second) * (p.First - p.Second));
            value = total == 0 ? (residual == 0 ? 1 : 0) : 1 - (residual / total);
        }
        else
        {
            metric = "accuracy";
            value = (double)pairs.Count(p => string.Equals(p.Truth, p.Served, StringComparison.Ordinal)) / pairs.Count;
        }

        double? baseline = signed is not null && signed.TryGetValue(metric, out var b) ? b : null;
        var alert = baseline is { } floor && pairs.Count >= settings.FeedbackMinBatch && value < floor - settings.MaxMetricDrop;
        return new LiveMetric(metric, value, baseline, pairs.Count, alert);
    }

    private static string F(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
