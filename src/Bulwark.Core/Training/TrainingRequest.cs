using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Core.Training;

/// <summary>What to train; stored as the job's <c>RequestJson</c>.</summary>
/// <param name="Task">"binary", "multiclass" or "regression".</param>
/// <param name="Trainer">"sdca", "fasttree" or "lightgbm".</param>
/// <param name="HoldoutFraction">Share of rows kept out of training for evaluation, 0.05–0.5.</param>
/// <param name="Runtime">"mlnet" (serve the ML.NET zip) or "onnx" (serve the exported ONNX graph).</param>
/// <param name="PositiveClass">Binary only: the label value treated as positive; default the less frequent one.</param>
internal sealed record TrainingRequest(
    Guid DatasetId,
    string LabelColumn,
    string Task = TrainingTasks.Binary,
    string Trainer = TrainingTasks.Sdca,
    double HoldoutFraction = 0.2,
    int Seed = 42,
    string Runtime = TrainingTasks.MlNet,
    string? PositiveClass = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainingRequest FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingRequest>(json, Json) ?? throw new JsonException("Empty training request.");
}

/// <summary>The accepted values of <see cref="TrainingRequest"/>'s string fields.</summary>
internal static class TrainingTasks
{
    public const string Binary = "binary";
    public const string Multiclass = "multiclass";
    public const string Regression = "regression";
    public const string Sdca = "sdca";
    public const string FastTree = "fasttree";
    public const string LightGbm = "lightgbm";
    public const string MlNet = "mlnet";
    public const string Onnx = "onnx";

    public static readonly IReadOnlySet<string> Tasks = new HashSet<string>(StringComparer.Ordinal) { Binary, Multiclass, Regression };
    public static readonly IReadOnlySet<string> Trainers = new HashSet<string>(StringComparer.Ordinal) { Sdca, FastTree, LightGbm };
    public static readonly IReadOnlySet<string> Runtimes = new HashSet<string>(StringComparer.Ordinal) { MlNet, Onnx };

    /// <summary>Most classes a multiclass model may have.</summary>
    public const int MaxClasses = 100;
}
