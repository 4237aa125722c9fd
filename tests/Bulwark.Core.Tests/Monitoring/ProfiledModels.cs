using Bulwark.Core.Registry;
using Bulwark.Core.Tests.Datasets;
using Bulwark.Core.Tests.Training;
using Bulwark.Core.Training;

namespace Bulwark.Core.Tests.Monitoring;

/// <summary>
/// A small binary model trained for real (x1, x2 uniform in [0, 1], a region; outcome = x1 + x2 &gt; 1), with the
/// reference profile the trainer fits. Trained once per test run.
/// </summary>
internal static class ProfiledModels
{
    private static readonly Lazy<TrainedModel> Trained = new(() =>
    {
        var outcome = ModelTrainer.Train(DatasetTestData.Parse(TrainingTestData.BinaryCsv(rows: 200), "outcome"),
            new TrainingRequest(Guid.Empty, "outcome", TrainingTasks.Binary, TrainingTasks.Sdca, 0.2, 7, TrainingTasks.MlNet));
        return outcome.Succeeded ? outcome.Value : throw new InvalidOperationException(outcome.Failure.Detail);
    });

    public static TrainedModel Small => Trained.Value;

    /// <summary>The trained model as a registration, with <paramref name="files"/> in place of its own when given.</summary>
    public static NewModelVersion NewVersion(string model, IReadOnlyDictionary<string, byte[]>? files = null) => new(
        model, Small.Format, TrainingTasks.Binary, Small.FeatureSchema, files ?? Small.Files, Small.Metrics, null, null, "sdca", Small.Parameters, "tester", null);
}
