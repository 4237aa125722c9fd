using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;

namespace Bulwark.Server.Registry;

/// <summary>Registry rows to wire contracts. Never exposes the artifact files or the envelope's signature.</summary>
internal static class ModelVersionMapping
{
    /// <summary>
    /// Maps one row, decrypting its sealed feature schema; a schema that does not open (altered or swapped between rows)
    /// is the registry's integrity failure (503), never an unhandled exception.
    /// </summary>
    public static Outcome<ModelVersionInfo> ToInfo(ModelVersion version, ModelRegistry registry) =>
        registry.SchemaOf(version) is { } schema
            ? ToInfo(version, schema) with { ExternalSigner = registry.ExternalSignerOf(version) }
            : ServingErrors.Integrity(RegistryErrors.SignatureInvalid, version.ModelName, version.Version);

    /// <summary>Maps rows; fails closed on the first row whose sealed schema does not open.</summary>
    public static Outcome<ModelVersionInfo[]> ToInfos(IEnumerable<ModelVersion> versions, ModelRegistry registry)
    {
        var infos = new List<ModelVersionInfo>();
        foreach (var version in versions)
        {
            var info = ToInfo(version, registry);
            if (!info.Succeeded)
            {
                return info.Failure;
            }

            infos.Add(info.Value);
        }

        return infos.ToArray();
    }

    private static ModelVersionInfo ToInfo(ModelVersion version, FeatureSchema schema)
    {
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
            version.CreatedAt,
            RetrainRequiredAt: version.RetrainRequiredAt,
            RetrainReason: version.RetrainReason);
    }

    /// <summary>
    /// A tagged feature's range and categories are values of people in the training data (an e-mail address, the highest
    /// account number): like a tagged dataset column, only name, kind and tag are shown.
    /// </summary>
    public static FeatureInfo ToInfo(FeatureSpec feature) => feature.Tag is null
        ? new(feature.Name, feature.Kind == FeatureKind.Numeric ? "numeric" : "categorical", feature.Min, feature.Max, feature.Categories)
        : new(feature.Name, feature.Kind == FeatureKind.Numeric ? "numeric" : "categorical", Tag: feature.Tag);

    public static ImportedModelSchema ToCore(ImportModelSchema schema) => new(
        schema.Task,
        [.. schema.Features.Select(f => new ImportedFeature(f.Name, f.Kind, f.Min, f.Max, f.Categories))],
        schema.Classes,
        schema.InputName,
        schema.OutputName);
}
