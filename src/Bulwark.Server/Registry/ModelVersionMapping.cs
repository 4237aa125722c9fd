using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;

namespace Bulwark.Server.Registry;

/// <summary>Registry rows to wire contracts. Never exposes the artifact files or the envelope's signature.</summary>
internal static class ModelVersionMapping
{
    public static ModelVersionInfo ToInfo(ModelVersion version)
    {
        var schema = FeatureSchema.FromJson(version.FeatureSchemaJson);
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(version.MetricsJson) ?? [];
        return new ModelVersionInfo(
            version.ModelName,
            version.Version,
            version.Stage.ToString().ToLowerInvariant(),
            version.Format,
            version.Task,
            version.ManifestDigest,
            metrics,
            [.. schema.Features.Select(ToInfo)],
            schema.Output.Classes,
            version.DatasetId,
            version.CreatedBy,
            version.CreatedAt);
    }

    public static FeatureInfo ToInfo(FeatureSpec feature) =>
        new(feature.Name, feature.Kind == FeatureKind.Numeric ? "numeric" : "categorical", feature.Min, feature.Max, feature.Categories);

    public static ImportedModelSchema ToCore(ImportModelSchema schema) => new(
        schema.Task,
        [.. schema.Features.Select(f => new ImportedFeature(f.Name, f.Kind, f.Min, f.Max, f.Categories))],
        schema.Classes,
        schema.InputName,
        schema.OutputName);
}
