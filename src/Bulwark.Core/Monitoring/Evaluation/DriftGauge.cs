using System.Collections.Concurrent;
using Bulwark.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Feeds <c>bulwark.monitoring.drift_score</c> from the latest evaluation of each production model: two series per
/// model, the largest feature PSI (<c>feature="max"</c>) and the prediction PSI (<c>feature="prediction"</c>). Feature
/// names stay out of the labels: metrics readers are instance-wide and the schema belongs to the project.
/// </summary>
internal sealed class DriftGauge
{
    private readonly ConcurrentDictionary<(string Project, string Model), (double? Max, double? Prediction)> _latest = new();

    public void Record(string project, string model, IReadOnlyList<FeatureDrift> features, FeatureDrift? predictions) =>
        _latest[(project, model)] = (features.Select(f => f.Psi).Max(), predictions?.Psi);

    public IEnumerable<DriftScore> Snapshot()
    {
        foreach (var ((_, model), (max, prediction)) in _latest)
        {
            if (max is { } m)
            {
                yield return new DriftScore(model, "max", m);
            }

            if (prediction is { } p)
            {
                yield return new DriftScore(model, "prediction", p);
            }
        }
    }

    /// <summary>Call once the meter provider exists (see OpenIncidentsGauge for why not earlier).</summary>
    public static void Register(IServiceProvider services)
    {
        var gauge = services.GetRequiredService<DriftGauge>();
        services.GetRequiredService<BulwarkMetrics>().ObserveDriftScores(gauge.Snapshot);
    }
}
