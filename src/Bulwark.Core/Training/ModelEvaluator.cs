using Microsoft.ML;

namespace Bulwark.Core.Training;

/// <summary>Hold-out metrics per task, with the names the API and manifest use.</summary>
internal static class ModelEvaluator
{
    public static Dictionary<string, double> Evaluate(MLContext ml, string task, IDataView scored)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        switch (task)
        {
            case TrainingTasks.Binary:
                var b = ml.BinaryClassification.Evaluate(scored, TrainingViews.Label);
                metrics["accuracy"] = b.Accuracy;
                metrics["auc"] = b.AreaUnderRocCurve;
                metrics["f1"] = b.F1Score;
                metrics["precision"] = b.PositivePrecision;
                metrics["recall"] = b.PositiveRecall;
                metrics["log_loss"] = b.LogLoss;
                break;
            case TrainingTasks.Multiclass:
                var m = ml.MulticlassClassification.Evaluate(scored, TrainingViews.Label);
                metrics["accuracy"] = m.MicroAccuracy;
                metrics["macro_f1"] = MacroF1(m.ConfusionMatrix.Counts);
                metrics["log_loss"] = m.LogLoss;
                break;
            default:
                var r = ml.Regression.Evaluate(scored, TrainingViews.Label);
                metrics["rmse"] = r.RootMeanSquaredError;
                metrics["mae"] = r.MeanAbsoluteError;
                metrics["r2"] = r.RSquared;
                break;
        }

        // A degenerate hold-out can make a metric NaN or infinite; such a number means nothing and would not serialise.
        foreach (var key in metrics.Where(p => !double.IsFinite(p.Value)).Select(p => p.Key).ToList())
        {
            metrics.Remove(key);
        }

        return metrics;
    }

    /// <summary>Unweighted mean of per-class F1 = 2TP / (2TP + FP + FN); counts[actual][predicted].</summary>
    public static double MacroF1(IReadOnlyList<IReadOnlyList<double>> counts)
    {
        var classes = counts.Count;
        var sum = 0.0;
        for (var c = 0; c < classes; c++)
        {
            var tp = counts[c][c];
            var fn = counts[c].Sum() - tp;
            var fp = Enumerable.Range(0, classes).Sum(i => counts[i][c]) - tp;
            var denominator = 2 * tp + fp + fn;
            sum += denominator == 0 ? 0 : 2 * tp / denominator;
        }

        return classes == 0 ? 0 : sum / classes;
    }
}
