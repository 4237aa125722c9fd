using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Bulwark.Core.Training;

/// <summary>
/// Maps (task, trainer) to an ML.NET estimator. Every trainer runs single-threaded: results are then reproducible
/// from the seed, and a training job cannot starve prediction traffic of every core.
/// </summary>
internal static class TrainerCatalog
{
    private const string F = TrainingViews.Features;
    private const string L = TrainingViews.Label;

    public static IEstimator<ITransformer> Create(MLContext ml, string task, string trainer, int seed) => (task, trainer) switch
    {
        // Linear models need standardised inputs; the normaliser becomes part of the saved (and exported) model.
        (TrainingTasks.Binary, TrainingTasks.Sdca) => ml.Transforms.NormalizeMeanVariance(F).Append(
            ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = L,
                FeatureColumnName = F,
                NumberOfThreads = 1,
            })),
        (TrainingTasks.Binary, TrainingTasks.FastTree) => ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = L,
            FeatureColumnName = F,
            NumberOfThreads = 1,
            Seed = seed,
            NumberOfTrees = 100,
            NumberOfLeaves = 20,
            MinimumExampleCountPerLeaf = 10,
        }),
        (TrainingTasks.Binary, TrainingTasks.LightGbm) => ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            LabelColumnName = L,
            FeatureColumnName = F,
            NumberOfThreads = 1,
            Seed = seed,
            Deterministic = true,
            Silent = true,
        }),
        (TrainingTasks.Multiclass, TrainingTasks.Sdca) => ml.Transforms.NormalizeMeanVariance(F).Append(
            ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = L,
                FeatureColumnName = F,
                NumberOfThreads = 1,
            })),
        (TrainingTasks.Multiclass, TrainingTasks.FastTree) => ml.MulticlassClassification.Trainers.OneVersusAll(
            ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                FeatureColumnName = F,
                NumberOfThreads = 1,
                Seed = seed,
                NumberOfTrees = 50,
                NumberOfLeaves = 10,
                MinimumExampleCountPerLeaf = 5,
            }),
            labelColumnName: L),
        (TrainingTasks.Multiclass, TrainingTasks.LightGbm) => ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
        {
            LabelColumnName = L,
            FeatureColumnName = F,
            NumberOfThreads = 1,
            Seed = seed,
            Deterministic = true,
            Silent = true,
        }),
        (TrainingTasks.Regression, TrainingTasks.Sdca) => ml.Transforms.NormalizeMeanVariance(F).Append(
            ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
            {
                LabelColumnName = L,
                FeatureColumnName = F,
                NumberOfThreads = 1,
            })),
        (TrainingTasks.Regression, TrainingTasks.FastTree) => ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            LabelColumnName = L,
            FeatureColumnName = F,
            NumberOfThreads = 1,
            Seed = seed,
            NumberOfTrees = 100,
            NumberOfLeaves = 20,
            MinimumExampleCountPerLeaf = 5,
        }),
        (TrainingTasks.Regression, TrainingTasks.LightGbm) => ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
        {
            LabelColumnName = L,
            FeatureColumnName = F,
            NumberOfThreads = 1,
            Seed = seed,
            Deterministic = true,
            Silent = true,
        }),
        _ => throw new ArgumentException($"Unknown task/trainer '{task}/{trainer}'.", nameof(trainer)),
    };
}
