using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Registry;

/// <summary>
/// A model version leaving the registry: its OpenSSF model-signing bundle, an export of its files with that bundle, the
/// signing public key to verify both offline, and its AI BOM (CycloneDX).
/// </summary>
/// <remarks>
/// Export and signature need <c>models:export</c>, not <c>models:read</c>: the files are the model itself (whoever has
/// them can serve it anywhere, which the query budgets and output hardening exist to prevent), and the signed statement
/// carries the feature schema with training statistics of the dataset. Both are audited (ModelExported) and decided on
/// the version as an object, so a policy can forbid exporting, say, models trained on restricted data. The BOM and the
/// public key reveal neither and stay with <c>models:read</c>.
/// </remarks>
internal static class ModelArtifactsEndpoints
{
    private const string BomMediaType = "application/vnd.cyclonedx+json";

    public static IEndpointRouteBuilder MapModelArtifacts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/models").WithTags("Registry");
        group.MapGet("/signing-key", SigningKeyAsync).WithName("GetModelSigningKey").RequirePermission(Permissions.ModelsRead);
        group.MapGet("/{name}/versions/{version:int}/signature", SignatureAsync).WithName("GetModelSignature")
            .RequirePermission(Permissions.ModelsExport).EvaluatesPolicyOnObject();
        group.MapGet("/{name}/versions/{version:int}/export", ExportAsync).WithName("ExportModelVersion")
            .RequirePermission(Permissions.ModelsExport).EvaluatesPolicyOnObject()
            .RequireRateLimiting(RateLimiting.ImportsPolicy);
        group.MapGet("/{name}/versions/{version:int}/bom", BomAsync).WithName("GetModelBom").RequirePermission(Permissions.ModelsRead);
        return app;
    }

    private static async Task<Ok<ModelSigningKeyInfo>> SigningKeyAsync(ManifestSigner signer, CancellationToken cancellationToken)
    {
        var spki = await signer.GetPublicKeyAsync(cancellationToken);
        return TypedResults.Ok(new ModelSigningKeyInfo(await signer.GetKeyIdAsync(cancellationToken), OmsBundle.HintOf(spki),
            await signer.GetPublicKeyPemAsync(cancellationToken)));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> SignatureAsync(
        string name, int version, ModelArtifacts artifacts, ModelRegistry registry, DatasetCatalog datasets, AccessEvaluator access, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (await AuthorizeExportAsync(name, version, registry, datasets, access, context, cancellationToken) is { } refused)
        {
            return refused;
        }

        var bundle = await artifacts.SignatureAsync(name, version, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return bundle.Succeeded ? TypedResults.Text(bundle.Value, OmsBundle.MediaType, Encoding.UTF8) : Problems.From(bundle.Failure);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        string name, int version, ModelArtifacts artifacts, ModelRegistry registry, DatasetCatalog datasets, AccessEvaluator access, HttpContext context,
        CancellationToken cancellationToken)
    {
        if (await AuthorizeExportAsync(name, version, registry, datasets, access, context, cancellationToken) is { } refused)
        {
            return refused;
        }

        var export = await artifacts.ExportAsync(name, version, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        if (!export.Succeeded)
        {
            return Problems.From(export.Failure);
        }

        context.Response.Headers["Bulwark-Root-Digest"] = export.Value.RootDigest;
        return TypedResults.File(export.Value.Zip, "application/zip", export.Value.FileName);
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> BomAsync(string name, int version, ModelArtifacts artifacts, CancellationToken cancellationToken)
    {
        var bom = await artifacts.BomAsync(name, version, cancellationToken);
        return bom.Succeeded ? TypedResults.Text(bom.Value, BomMediaType + "; version=" + ModelBom.SpecVersion, Encoding.UTF8) : Problems.From(bom.Failure);
    }

    /// <summary>The ABAC decision on the version itself (who produced it, its stage, its training data's classification).</summary>
    private static async Task<ProblemHttpResult?> AuthorizeExportAsync(
        string name, int version, ModelRegistry registry, DatasetCatalog datasets, AccessEvaluator access, HttpContext context, CancellationToken cancellationToken)
    {
        var row = await registry.GetVersionAsync(name, version, cancellationToken);
        if (!row.Succeeded)
        {
            return Problems.From(row.Failure);
        }

        var resource = Core.Access.EntityAttributes.Create(
            ("type", AccessEvaluator.S("modelVersion")),
            ("id", AccessEvaluator.S($"{name}/{version}")),
            ("project", AccessEvaluator.S(row.Value.ProjectId)),
            ("stage", AccessEvaluator.S(ModelRegistry.Name(row.Value.Stage))),
            ("trainedBy", AccessEvaluator.S(row.Value.CreatedBy)));
        if (row.Value.DatasetId is { } datasetId && await datasets.GetAsync(datasetId, cancellationToken) is { Succeeded: true } dataset)
        {
            resource = resource.With("classification", Core.Access.AttributeValue.FromClassification(dataset.Value.Classification));
        }

        return await access.AuthorizeAsync(context, Permissions.ModelsExport, resource) is { } denied ? Problems.From(denied) : null;
    }
}
