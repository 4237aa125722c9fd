using System.Globalization;
using System.Text.Json.Serialization;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;

namespace Bulwark.Server.Serving;

/// <summary>OIP v2 model metadata response (<c>GET /v2/models/{name}</c>).</summary>
internal sealed record OipModelMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("versions")] IReadOnlyList<string> Versions,
    [property: JsonPropertyName("platform")] string Platform,
    [property: JsonPropertyName("inputs")] IReadOnlyList<OipTensorMetadata> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<OipTensorMetadata> Outputs);

/// <summary>A tensor description; -1 marks the variable batch dimension.</summary>
internal sealed record OipTensorMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("shape")] IReadOnlyList<long> Shape);

/// <summary>OIP v2 model readiness response.</summary>
internal sealed record OipModelReady(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("ready")] bool Ready);

internal static class OipMetadata
{
    public static async Task<OipModelMetadata> DescribeAsync(ModelVersion version, ModelRegistry registry, HttpContext context, CancellationToken cancellationToken)
    {
        SetVersionHeaders(version, context);
        // The registry already refused a row whose sealed schema does not open; reaching null here is unexpected.
        var schema = registry.SchemaOf(version) ?? throw new InvalidOperationException("The model version's feature schema failed authenticated decryption.");
        var servable = (await registry.ListAsync(version.ModelName, cancellationToken))
            .Where(v => v.Stage != ModelStage.Retired)
            .Select(v => v.Version.ToString(CultureInfo.InvariantCulture))
            .ToList();
        var inputs = schema.Features.Select(f => new OipTensorMetadata(f.Name, f.Kind == FeatureKind.Numeric ? "FP64" : "BYTES", [-1])).ToList();
        IReadOnlyList<OipTensorMetadata> outputs = schema.Output.Task == "regression"
            ? [new OipTensorMetadata("value", "FP64", [-1])]
            : [new OipTensorMetadata("label", "BYTES", [-1]), new OipTensorMetadata("score", "FP32", [-1])];
        return new OipModelMetadata(version.ModelName, servable, version.Format == "onnx" ? "onnxruntime" : "mlnet", inputs, outputs);
    }

    public static void SetVersionHeaders(ModelVersion version, HttpContext context)
    {
        context.Response.Headers[ServingEndpoints.ModelVersionHeader] = version.Version.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers[ServingEndpoints.ManifestDigestHeader] = version.ManifestDigest;
    }
}
