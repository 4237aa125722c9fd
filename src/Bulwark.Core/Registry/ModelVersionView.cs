using System.Text.Json;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Registry;

/// <summary>
/// Read helpers over a <see cref="ModelVersion"/> row for listings (the API's ModelVersionInfo). For display only:
/// serving uses the schema inside the verified, signed manifest, never these row copies.
/// </summary>
internal static class ModelVersionView
{
    public static string Stage(ModelVersion row) => ModelRegistry.Name(row.Stage);

    public static FeatureSchema Schema(ModelVersion row) => FeatureSchema.FromJson(row.FeatureSchemaJson);

    public static IReadOnlyDictionary<string, double> Metrics(ModelVersion row) =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(row.MetricsJson) ?? [];
}
