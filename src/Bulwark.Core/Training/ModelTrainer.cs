using System.Globalization;
using Bulwark.Core.Datasets;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Serving;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;

namespace Bulwark.Core.Training;

/// <summary>
/// Trains, evaluates and packages a model from a loaded dataset. Pure: no database, no files, no clock, so tests run
/// it directly and the job runner wraps it.
/// </summary>
internal static class ModelTrainer
{
    public const string ModelZip = "model.zip";
    public const string ModelOnnx = "model.onnx";
    public const string Reference = ReferenceProfile.FileName;

    /// <summary>Checks the parts of a request that do not depend on the data.</summary>
    public static Failure? ValidateShape(TrainingRequest request)
    {
        if (!TrainingTasks.Tasks.Contains(request.Task))
        {
            return TrainingErrors.Invalid("Task must be binary, multiclass or regression.");
        }

        if (!TrainingTasks.Trainers.Contains(request.Trainer))
        {
            return TrainingErrors.Invalid("Trainer must be sdca, fasttree or lightgbm.");
        }

        if (!TrainingTasks.Runtimes.Contains(request.Runtime))
        {
            return TrainingErrors.Invalid("Runtime must be mlnet or onnx.");
        }

        if (!(request.HoldoutFraction is >= 0.05 and <= 0.5))
        {
            return TrainingErrors.Invalid("The hold-out fraction must be between 0.05 and 0.5.");
        }

        if (request.PositiveClass is not null && request.Task != TrainingTasks.Binary)
        {
            return TrainingErrors.Invalid("A positive class applies to binary classification only.");
        }

        return null;
    }

    public static Outcome<TrainedModel> Train(
        LoadedDataset dataset, TrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (ValidateShape(request) is { } invalid)
        {
            return invalid;
        }

        progress?.Report(new TrainingProgress(0.2, "splitting"));
        var prepared = TrainingData.Prepare(dataset, request);
        if (!prepared.Succeeded)
        {
            return prepared.Failure;
        }

        var data = prepared.Value;
        cancellationToken.ThrowIfCancellationRequested();

        // Seeded so the same data, request and seed give the same model (ML.NET derives every trainer's RNG from it).
        var ml = new MLContext(seed: request.Seed);
        var trainView = TrainingViews.Create(ml, data, data.Train);
        var holdoutView = TrainingViews.Create(ml, data, data.Holdout);

        progress?.Report(new TrainingProgress(0.3, $"fitting {request.Trainer} on {data.Train.Length} rows"));
        var estimator = TrainerCatalog.Create(ml, request.Task, request.Trainer, request.Seed);
        // Fit cannot be interrupted from outside; cancellation is honoured between steps.
        var model = estimator.Fit(trainView);

        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new TrainingProgress(0.8, "fitted"));

        progress?.Report(new TrainingProgress(0.9, $"evaluating on {data.Holdout.Length} hold-out rows"));
        var metrics = ModelEvaluator.Evaluate(ml, request.Task, model.Transform(holdoutView));

        var featuresOnly = TrainingViews.FeaturesOnly(ml, data.Schema.VectorWidth, data.Vectors[0]);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var zip = new MemoryStream())
        {
            ml.Model.Save(model, featuresOnly.Schema, zip);
            files[ModelZip] = zip.ToArray();
        }

        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new TrainingProgress(0.95, "profiling the training data"));
        files[Reference] = Profile(dataset, data, files[ModelZip], request.Seed).ToJsonBytes();

        var schema = data.Schema;
        if (request.Runtime == TrainingTasks.Onnx)
        {
            var exported = ExportOnnx(ml, model, featuresOnly, request.Task);
            if (!exported.Succeeded)
            {
                return exported.Failure;
            }

            files[ModelOnnx] = exported.Value.Bytes;
            schema = schema with { Output = schema.Output with { OnnxInput = exported.Value.Input, OnnxOutput = exported.Value.Output } };
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["label"] = request.LabelColumn,
            ["holdout_fraction"] = request.HoldoutFraction.ToString("R", CultureInfo.InvariantCulture),
            ["seed"] = request.Seed.ToString(CultureInfo.InvariantCulture),
            ["training_rows"] = data.Train.Length.ToString(CultureInfo.InvariantCulture),
            ["holdout_rows"] = data.Holdout.Length.ToString(CultureInfo.InvariantCulture),
        };
        if (request.Task == TrainingTasks.Binary)
        {
            parameters["positive_class"] = schema.Output.Classes![1];
        }

        return new TrainedModel(schema, request.Runtime, files, metrics, parameters, data.Train.Length, data.Holdout);
    }

    /// <summary>
    /// The reference profile of the training rows (drift statistics, the serving out-of-distribution guard), with the
    /// model's predictions on them scored by the runtime that serves ML.NET models, so they match what serving sees.
    /// </summary>
    private static ReferenceProfile Profile(LoadedDataset dataset, TrainingData data, byte[] modelZip, int seed)
    {
        var rows = ReferenceProfileBuilder.SampleRows(data.Train, seed);
        var width = data.Schema.VectorWidth;
        var features = new float[rows.Length * width];
        for (var r = 0; r < rows.Length; r++)
        {
            data.Vectors[rows[r]].CopyTo(features.AsSpan(r * width, width));
        }

        using var runtime = new MlNetModelRuntime(modelZip, data.Schema);
        var outputs = new float[rows.Length * runtime.OutputWidth];
        runtime.Predict(features, rows.Length, outputs);
        return ReferenceProfileBuilder.Fit(dataset, data.Schema, rows, outputs, runtime.OutputWidth);
    }

    /// <summary>
    /// Exports to ONNX against the features-only view and reads back the graph's input and output names, which also
    /// proves the export loads in ONNX Runtime before it is ever registered.
    /// </summary>
    private static Outcome<(byte[] Bytes, string Input, string Output)> ExportOnnx(MLContext ml, ITransformer model, IDataView featuresOnly, string task)
    {
        byte[] bytes;
        try
        {
            using var stream = new MemoryStream();
            ml.Model.ConvertToOnnx(model, featuresOnly, stream);
            bytes = stream.ToArray();
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or NotImplementedException)
        {
            // The converter has no ONNX operator for some transform; the model itself is fine, so say what to change.
            return TrainingErrors.TrainingFailed($"This model cannot be exported to ONNX ({ex.GetType().Name}); train it with runtime \"mlnet\".");
        }

        using var session = new InferenceSession(bytes);
        var inputs = session.InputMetadata.Keys.ToList();
        var wanted = task == TrainingTasks.Binary ? "Probability.output" : "Score.output";
        if (inputs.Count != 1 || !session.OutputMetadata.ContainsKey(wanted))
        {
            return TrainingErrors.TrainingFailed(
                $"The ONNX export has inputs [{string.Join(", ", inputs)}] and outputs [{string.Join(", ", session.OutputMetadata.Keys)}]; expected one input and '{wanted}'.");
        }

        return (bytes, inputs[0], wanted);
    }
}
