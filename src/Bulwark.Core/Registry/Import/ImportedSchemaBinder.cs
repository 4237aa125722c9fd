using System.Text.RegularExpressions;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Registry;

/// <summary>
/// Checks a declared import schema and binds it to the model's real graph: the features must describe exactly the
/// float input tensor the model takes, and the output must be a float tensor of the width the task needs. A schema
/// that does not fit the graph would make every prediction wrong, so it is refused at import, not at serving time.
/// </summary>
internal static partial class ImportedSchemaBinder
{
    private const int MaxFeatures = 10_000;
    private const int MaxCategories = 1_000;

    public static Outcome<FeatureSchema> Bind(ImportedModelSchema declared, OnnxModelInfo model)
    {
        if (declared.Task is not ("binary" or "multiclass" or "regression"))
        {
            return RegistryErrors.Schema("Task must be \"binary\", \"multiclass\" or \"regression\".");
        }

        if (declared.Features is not { Count: > 0 and <= MaxFeatures })
        {
            return RegistryErrors.Schema($"Declare between 1 and {MaxFeatures} features.");
        }

        var features = new List<FeatureSpec>(declared.Features.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < declared.Features.Count; i++)
        {
            var f = declared.Features[i];
            if (f is null)
            {
                return RegistryErrors.Schema($"Feature {i} is null.");
            }

            var problem = CheckFeature(f, i);
            if (problem is not null)
            {
                return RegistryErrors.Schema(problem);
            }

            if (!names.Add(f.Name))
            {
                return RegistryErrors.Schema($"Feature '{f.Name}' is declared twice.");
            }

            features.Add(f.Kind == "numeric"
                ? new FeatureSpec(f.Name, FeatureKind.Numeric, f.Min, f.Max)
                : new FeatureSpec(f.Name, FeatureKind.Categorical, Categories: [.. f.Categories!]));
        }

        var classes = declared.Classes;
        if (declared.Task == "regression")
        {
            if (classes is { Count: > 0 })
            {
                return RegistryErrors.Schema("A regression model has no classes.");
            }

            classes = null;
        }
        else
        {
            var expected = declared.Task == "binary" ? "exactly 2" : "at least 2";
            if (classes is null || classes.Count < 2 || (declared.Task == "binary" && classes.Count != 2) || classes.Count > MaxCategories
                || classes.Any(c => string.IsNullOrWhiteSpace(c) || c.Length > 128) || classes.Distinct(StringComparer.Ordinal).Count() != classes.Count)
            {
                return RegistryErrors.Schema($"A {declared.Task} model needs {expected} distinct, non-empty class names.");
            }
        }

        var draft = new FeatureSchema(features, new OutputSpec(declared.Task, classes?.ToList()));
        var input = BindInput(declared.InputName, model, draft.VectorWidth);
        if (!input.Succeeded)
        {
            return input.Failure;
        }

        var output = BindOutput(declared.OutputName, model, draft.Output);
        if (!output.Succeeded)
        {
            return output.Failure;
        }

        return draft with { Output = draft.Output with { OnnxInput = input.Value, OnnxOutput = output.Value } };
    }

    private static string? CheckFeature(ImportedFeature f, int index)
    {
        if (f.Name is null || !FeatureName().IsMatch(f.Name))
        {
            return $"Feature {index}: names are 1-64 letters, digits, '_', '.' or '-', starting with a letter or '_'.";
        }

        switch (f.Kind)
        {
            case "numeric":
                if (f.Categories is { Count: > 0 })
                {
                    return $"Feature '{f.Name}': a numeric feature has no categories.";
                }

                if ((f.Min is { } min && !double.IsFinite(min)) || (f.Max is { } max && !double.IsFinite(max)) || f.Min > f.Max)
                {
                    return $"Feature '{f.Name}': min and max must be finite and min <= max.";
                }

                return null;
            case "categorical":
                if (f.Categories is not { Count: > 0 and <= MaxCategories } || f.Categories.Any(c => string.IsNullOrEmpty(c) || c.Length > 128)
                    || f.Categories.Distinct(StringComparer.Ordinal).Count() != f.Categories.Count)
                {
                    return $"Feature '{f.Name}': a categorical feature needs 1-{MaxCategories} distinct, non-empty categories.";
                }

                return f.Min is null && f.Max is null ? null : $"Feature '{f.Name}': a categorical feature has no min or max.";
            default:
                return $"Feature '{f.Name}': kind must be \"numeric\" or \"categorical\".";
        }
    }

    private static Outcome<string> BindInput(string? name, OnnxModelInfo model, int width)
    {
        OnnxTensorInfo? input;
        if (name is not null)
        {
            input = model.Inputs.FirstOrDefault(i => i.Name == name);
            if (input is null)
            {
                return RegistryErrors.Schema($"The model has no input named '{name}'.");
            }
        }
        else if (model.Inputs.Count == 1)
        {
            input = model.Inputs[0];
        }
        else
        {
            return RegistryErrors.Schema($"The model has {model.Inputs.Count} inputs; name the one to feed (inputName).");
        }

        if (model.Inputs.Count != 1)
        {
            return RegistryErrors.Schema("Only models with a single input tensor are accepted.");
        }

        if (!input.IsFloatTensor || input.Shape is not { Count: 2 } shape)
        {
            return RegistryErrors.Schema($"Input '{input.Name}' must be a float tensor of shape [N, {width}].");
        }

        if (shape[0].Value is > 0)
        {
            return RegistryErrors.Schema($"Input '{input.Name}' has a fixed batch size of {shape[0].Value}; export it with a dynamic batch dimension.");
        }

        var last = shape[1];
        if (last.Value is > 0 && last.Value != width)
        {
            return RegistryErrors.Schema($"Input '{input.Name}' has {last.Value} columns but the declared features make {width}.");
        }

        return input.Name;
    }

    // Default: the first float tensor output whose width fits the task, preferring one named like a probability.
    // Exporters such as ML.NET also emit a pass-through copy of the features and a raw margin ("Score.output"), which
    // must not be mistaken for probabilities.
    private static Outcome<string> BindOutput(string? name, OnnxModelInfo model, OutputSpec output)
    {
        if (name is null)
        {
            var fitting = model.Outputs.FirstOrDefault(o => o.IsFloatTensor && Fits(o, output) && o.Name.Contains("prob", StringComparison.OrdinalIgnoreCase))
                ?? model.Outputs.FirstOrDefault(o => o.IsFloatTensor && Fits(o, output));
            return fitting is not null ? fitting.Name : RegistryErrors.Schema($"The model has no float tensor output that fits a {output.Task} model; name one (outputName).");
        }

        var candidate = model.Outputs.FirstOrDefault(o => o.Name == name);
        if (candidate is null)
        {
            return RegistryErrors.Schema($"The model has no output named '{name}'.");
        }

        if (!candidate.IsFloatTensor)
        {
            return RegistryErrors.Schema($"Output '{candidate.Name}' is not a float tensor.");
        }

        return Fits(candidate, output) ? candidate.Name : RegistryErrors.Schema($"Output '{candidate.Name}' does not have the width a {output.Task} model with these classes needs.");
    }

    private static bool Fits(OnnxTensorInfo candidate, OutputSpec output)
    {
        var width = candidate.Shape is { Count: >= 2 } s ? s[^1].Value : 1;
        return output.Task switch
        {
            "binary" => width is null or <= 0 or 1 or 2,
            "multiclass" => width is null or <= 0 || width == output.Classes!.Count,
            _ => width is null or <= 0 or 1,
        };
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex FeatureName();
}
