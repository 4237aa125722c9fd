using Bulwark.Core.Datasets;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Training;

/// <summary>
/// A dataset turned into what a trainer consumes: the feature schema the model will be served with, one float vector
/// per row (built by <see cref="FeatureVectorizer"/>, exactly as serving builds it), encoded labels and a
/// deterministic, stratified hold-out split.
/// </summary>
internal sealed class TrainingData
{
    private const int MinRows = 10;

    private TrainingData(FeatureSchema schema, float[][] vectors, int[] train, int[] holdout)
    {
        Schema = schema;
        Vectors = vectors;
        Train = train;
        Holdout = holdout;
    }

    public FeatureSchema Schema { get; }

    public float[][] Vectors { get; }

    /// <summary>Binary: true = positive class.</summary>
    public bool[]? BinaryLabels { get; private init; }

    /// <summary>Multiclass: 0-based index into <see cref="OutputSpec.Classes"/>.</summary>
    /// <remarks>
    /// Loaded through a key-typed column, ML.NET stores value v as key v + 1 (its keys are 1-based, 0 = missing), so
    /// class i here is key i + 1 there and score slot i in the model's output, matching OutputSpec.Classes.
    /// </remarks>
    public uint[]? KeyLabels { get; private init; }

    public float[]? RegressionLabels { get; private init; }

    public int[] Train { get; }

    public int[] Holdout { get; }

    public static Outcome<TrainingData> Prepare(LoadedDataset data, TrainingRequest request)
    {
        var label = data.Find(request.LabelColumn);
        if (label is null)
        {
            return TrainingErrors.Invalid($"The dataset has no column '{request.LabelColumn}'.");
        }

        if (data.RowCount < MinRows)
        {
            return TrainingErrors.Invalid($"Training needs at least {MinRows} rows; the dataset has {data.RowCount}.");
        }

        var features = new List<FeatureSpec>();
        var sources = new List<LoadedColumn>();
        // Identifiers (card-number columns once truncated or tokenised) are never features: one value per card, no signal.
        foreach (var column in data.Columns.Where(c => c != label && c.Schema.Kind != ColumnKind.Identifier))
        {
            var spec = ToFeature(column.Schema, data.RowCount);
            if (spec is null)
            {
                return TrainingErrors.Invalid($"Column '{column.Name}' has values beyond single precision and cannot be a feature.");
            }

            features.Add(spec);
            sources.Add(column);
        }

        if (features.Count == 0)
        {
            return TrainingErrors.Invalid("The dataset has no feature columns besides the label.");
        }

        var rows = data.RowCount;
        int[] train, holdout;
        OutputSpec output;
        bool[]? binary = null;
        uint[]? keys = null;
        float[]? values = null;
        var random = SeededRandom.Create(request.Seed);
        if (request.Task == TrainingTasks.Regression)
        {
            if (!label.Schema.IsNumeric)
            {
                return TrainingErrors.Invalid($"Regression needs a numeric label; '{label.Name}' is categorical.");
            }

            values = label.Numbers!.Select(v => (float)v).ToArray();
            if (values.Any(v => !float.IsFinite(v)))
            {
                return TrainingErrors.Invalid($"Label '{label.Name}' has values beyond single precision.");
            }

            var order = Enumerable.Range(0, rows).ToArray();
            SeededRandom.Shuffle(random, order);
            var count = Math.Max(1, (int)Math.Round(rows * request.HoldoutFraction));
            holdout = order[..count];
            train = order[count..];
            output = new OutputSpec(TrainingTasks.Regression);
        }
        else
        {
            var texts = Enumerable.Range(0, rows).Select(label.TextAt).ToArray();
            var counts = texts.GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var classes = counts.Keys.Order(StringComparer.Ordinal).ToList();
            if (request.Task == TrainingTasks.Binary)
            {
                if (classes.Count != 2)
                {
                    return TrainingErrors.Invalid($"Binary classification needs exactly 2 label classes; '{label.Name}' has {classes.Count}.");
                }

                // Default positive: the rarer class (the one usually worth detecting); ties go to the later name.
                var positive = request.PositiveClass ?? (counts[classes[0]] < counts[classes[1]] ? classes[0] : classes[1]);
                if (!classes.Contains(positive))
                {
                    return TrainingErrors.Invalid($"The positive class is not one of the values of '{label.Name}'.");
                }

                classes = [classes.First(c => c != positive), positive];
                binary = texts.Select(t => t == positive).ToArray();
            }
            else
            {
                if (classes.Count is < 2 or > TrainingTasks.MaxClasses)
                {
                    return TrainingErrors.Invalid($"Multiclass classification needs 2–{TrainingTasks.MaxClasses} classes; '{label.Name}' has {classes.Count}.");
                }

                var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (uint)p.i, StringComparer.Ordinal);
                keys = texts.Select(t => index[t]).ToArray();
            }

            if (counts.Values.Min() < 2)
            {
                return TrainingErrors.Invalid("Every label class needs at least 2 rows (one to train on, one to evaluate).");
            }

            (train, holdout) = StratifiedSplit(texts, classes, request.HoldoutFraction, random);
            output = new OutputSpec(request.Task, classes);
        }

        var schema = new FeatureSchema(features, output);
        var vectors = new float[rows][];
        var numeric = new double[sources.Count];
        var categorical = new string?[sources.Count];
        for (var r = 0; r < rows; r++)
        {
            for (var f = 0; f < sources.Count; f++)
            {
                numeric[f] = sources[f].Numbers is { } n ? n[r] : 0;
                categorical[f] = sources[f].Values?[r];
            }

            vectors[r] = new float[schema.VectorWidth];
            FeatureVectorizer.WriteRow(schema, numeric, categorical, vectors[r]);
        }

        return new TrainingData(schema, vectors, train, holdout) { BinaryLabels = binary, KeyLabels = keys, RegressionLabels = values };
    }

    /// <summary>
    /// The served feature: validation accepts [min − span, max + span] (from 0 when the data is never negative), a
    /// margin for honest drift while still refusing absurd inputs; span = max − min, or |max| (at least 1) for a
    /// constant column so it still has room.
    /// </summary>
    private static FeatureSpec? ToFeature(DatasetColumnSchema column, int rows)
    {
        if (!column.IsNumeric)
        {
            return new FeatureSpec(column.Name, FeatureKind.Categorical, Categories: column.Categories, Tag: column.Tag);
        }

        double min = column.Min!.Value, max = column.Max!.Value;
        if (Math.Abs(min) > float.MaxValue || Math.Abs(max) > float.MaxValue)
        {
            return null;
        }

        var span = max - min;
        if (span == 0)
        {
            span = Math.Max(Math.Abs(max), 1);
        }

        var low = min >= 0 ? 0 : Math.Max(min - span, -float.MaxValue);
        var high = Math.Min(max + span, float.MaxValue);
        return new FeatureSpec(column.Name, FeatureKind.Numeric, low, high,
            Statistics: new FeatureStatistics(min, max, column.Mean!.Value, column.StdDev!.Value, rows), Tag: column.Tag);
    }

    /// <summary>Per class, a seeded shuffle and the same hold-out share (at least one row), so rare classes are evaluated too.</summary>
    private static (int[] Train, int[] Holdout) StratifiedSplit(string[] labels, List<string> classes, double fraction, Random random)
    {
        var train = new List<int>();
        var holdout = new List<int>();
        foreach (var cls in classes)
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == cls).ToArray();
            SeededRandom.Shuffle(random, members);
            var count = Math.Clamp((int)Math.Round(members.Length * fraction), 1, members.Length - 1);
            holdout.AddRange(members[..count]);
            train.AddRange(members[count..]);
        }

        // Interleave classes again: some trainers see rows in order and learn badly from sorted blocks.
        var trainArray = train.ToArray();
        SeededRandom.Shuffle(random, trainArray);
        holdout.Sort();
        return (trainArray, holdout.ToArray());
    }
}
