using System.Text.Json;
using System.Text.Json.Serialization;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// What the training rows looked like, fitted once at training time and stored as <see cref="FileName"/> next to the
/// model file: per-feature distributions (drift statistics), the numeric features' joint shape (the serving
/// out-of-distribution guard) and the model's own predictions on those rows (prediction drift). It is an artifact of
/// the version, so it is encrypted at rest and covered by the signed manifest like the model itself: a tampered
/// profile (say, widened bounds so poisoned inputs pass) refuses the load.
/// </summary>
/// <param name="FormatVersion">Bumped when the layout changes incompatibly; a loader refuses versions it does not know.</param>
/// <param name="Rows">Training rows the profile was fitted on (a seeded sample of at most <see cref="MaxRows"/>).</param>
/// <param name="Numeric">Numeric features, in schema order (at most <see cref="MaxFeatures"/> features profiled in all).</param>
/// <param name="Categorical">Categorical features, in schema order.</param>
/// <param name="Multivariate">The numeric features' joint shape; null when there are too few rows or features.</param>
/// <param name="Predictions">The model's predictions on the profiled rows.</param>
internal sealed record ReferenceProfile(
    int FormatVersion,
    int Rows,
    IReadOnlyList<NumericProfile> Numeric,
    IReadOnlyList<CategoricalProfile> Categorical,
    MultivariateProfile? Multivariate,
    PredictionProfile? Predictions)
{
    public const string FileName = "reference.json";
    public const int CurrentFormat = 1;

    /// <summary>Rows a profile is fitted on; larger training sets are sampled (seeded), which keeps fitting time bounded.</summary>
    public const int MaxRows = 50_000;

    /// <summary>Features profiled per model; the rest get no drift statistics and no range check (keeps the file bounded).</summary>
    public const int MaxFeatures = 512;

    /// <summary>Categories counted over all categorical features; a feature that would exceed it is not profiled.</summary>
    public const int MaxCategories = 20_000;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a profile and checks it against the signed feature schema; null with a reason when either fails.</summary>
    public static ReferenceProfile? Read(ReadOnlySpan<byte> json, FeatureSchema schema, out string? problem)
    {
        ReferenceProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<ReferenceProfile>(json, Json);
        }
        catch (JsonException)
        {
            profile = null;
        }

        problem = profile is null ? "The reference profile is not valid JSON." : ReferenceProfileValidator.Check(profile, schema);
        return problem is null ? profile : null;
    }
}
