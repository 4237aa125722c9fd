using Microsoft.ML;
using Microsoft.ML.Data;

namespace Bulwark.Core.Training;

/// <summary>Builds ML.NET data views over <see cref="TrainingData"/> rows, with the vector width declared.</summary>
internal static class TrainingViews
{
    public const string Features = "Features";
    public const string Label = "Label";

    /// <summary>A schema definition for <typeparamref name="T"/> whose Features column is a float vector of <paramref name="width"/>.</summary>
    public static SchemaDefinition Schema<T>(int width, int classCount = 0)
    {
        var definition = SchemaDefinition.Create(typeof(T), SchemaDefinition.Direction.Read);
        definition[Features].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        if (typeof(T) == typeof(MulticlassRow))
        {
            definition[Label].ColumnType = new KeyDataViewType(typeof(uint), classCount);
        }

        return definition;
    }

    /// <summary>The rows <paramref name="indices"/> of <paramref name="data"/> as a view with Features and Label.</summary>
    public static IDataView Create(MLContext ml, TrainingData data, IReadOnlyList<int> indices)
    {
        var width = data.Schema.VectorWidth;
        if (data.BinaryLabels is { } binary)
        {
            var rows = indices.Select(i => new BinaryRow { Features = data.Vectors[i], Label = binary[i] }).ToList();
            return ml.Data.LoadFromEnumerable(rows, Schema<BinaryRow>(width));
        }

        if (data.KeyLabels is { } keys)
        {
            var rows = indices.Select(i => new MulticlassRow { Features = data.Vectors[i], Label = keys[i] }).ToList();
            return ml.Data.LoadFromEnumerable(rows, Schema<MulticlassRow>(width, data.Schema.Output.Classes!.Count));
        }

        var values = data.RegressionLabels!;
        var regression = indices.Select(i => new RegressionRow { Features = data.Vectors[i], Label = values[i] }).ToList();
        return ml.Data.LoadFromEnumerable(regression, Schema<RegressionRow>(width));
    }

    /// <summary>
    /// A view holding only the Features column. Models are saved and exported against it: exported with the training
    /// view, the ONNX graph would also demand a Label input at inference time.
    /// </summary>
    public static IDataView FeaturesOnly(MLContext ml, int width, float[] sample) =>
        ml.Data.LoadFromEnumerable(new[] { new FeaturesRow { Features = sample } }, Schema<FeaturesRow>(width));
}
