namespace Bulwark.Core.Training;

// ML.NET row types. Each one's "Features" column is declared as a fixed-size vector through a SchemaDefinition
// (TrainingViews.Schema), since the width is only known at run time.
#pragma warning disable CA1812 // instantiated by ML.NET through reflection

/// <summary>A row fed to a model for scoring: the feature vector only.</summary>
internal sealed class FeaturesRow
{
    public float[] Features = [];
}

internal sealed class BinaryRow
{
    public float[] Features = [];
    public bool Label;
}

/// <summary>Label: 0-based class index; the key-typed column makes it ML.NET key index + 1.</summary>
internal sealed class MulticlassRow
{
    public float[] Features = [];
    public uint Label;
}

internal sealed class RegressionRow
{
    public float[] Features = [];
    public float Label;
}

internal sealed class BinaryScore
{
    public float Probability;
}

internal sealed class VectorScore
{
    public float[] Score = [];
}

internal sealed class ScalarScore
{
    public float Score;
}
#pragma warning restore CA1812
