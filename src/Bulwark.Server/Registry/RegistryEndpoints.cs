using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Bulwark.Server.Incidents;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Registry;

/// <summary>The model registry: versions, ONNX import (sniffed by content, never by file name) and promotion.</summary>
internal static class RegistryEndpoints
{
    private const long SchemaPartBytes = 1024 * 1024;
    private const long MultipartOverhead = 64 * 1024;

    public static IEndpointRouteBuilder MapRegistry(this IEndpointRouteBuilder app)
    {
        var maxModelBytes = app.ServiceProvider.GetRequiredService<IOptions<RegistryOptions>>().Value.MaxModelBytes;
        var group = app.MapGroup("/api/v1/models").WithTags("Registry");
        group.MapGet("/", ListAsync).WithName("ListModelVersions").RequirePermission(Permissions.ModelsRead);
        group.MapGet("/{name}/versions", ListVersionsAsync).WithName("ListVersionsOfModel").RequirePermission(Permissions.ModelsRead);
        group.MapPost("/{name}/promote", PromoteAsync).WithName("PromoteModelVersion").RequirePermission(Permissions.ModelsPromote).EvaluatesPolicyOnObject().AcceptsJson()
            .FrozenByContainment();
        group.MapPost("/{name}/versions", ImportAsync).WithName("ImportModelVersion")
            .RequirePermission(Permissions.ModelsWrite)
            .FrozenByContainment()
            .AcceptsContentTypes("multipart/form-data")
            .WithBodySizeLimit(maxModelBytes + 2 * SchemaPartBytes + MultipartOverhead)
            .RequireRateLimiting(RateLimiting.ImportsPolicy);
        return app;
    }

    private static async Task<Results<Ok<ModelVersionInfo[]>, ProblemHttpResult>> ListAsync(ModelRegistry registry, CancellationToken cancellationToken) =>
        Respond(ModelVersionMapping.ToInfos(await registry.ListAsync(null, cancellationToken), registry));

    private static async Task<Results<Ok<ModelVersionInfo[]>, ProblemHttpResult>> ListVersionsAsync(string name, ModelRegistry registry, CancellationToken cancellationToken)
    {
        var versions = await registry.ListAsync(name, cancellationToken);
        return versions.Count == 0
            ? Problems.Of(ErrorCodes.ModelNotFound, 404, $"Model '{name}' does not exist.")
            : Respond(ModelVersionMapping.ToInfos(versions, registry));
    }

    private static Results<Ok<T>, ProblemHttpResult> Respond<T>(Outcome<T> outcome) =>
        outcome.Succeeded ? TypedResults.Ok(outcome.Value) : Problems.From(outcome.Failure);

    private static async Task<Results<Ok<ModelVersionInfo>, ProblemHttpResult>> PromoteAsync(
        string name, PromoteRequest request, ModelRegistry registry, DatasetCatalog datasets, AccessEvaluator access, HttpContext context, CancellationToken cancellationToken)
    {
        ModelStage? target = request.Stage switch
        {
            "staging" => ModelStage.Staging,
            "production" => ModelStage.Production,
            "retired" => ModelStage.Retired,
            _ => null,
        };
        if (target is null)
        {
            return Problems.Of(ErrorCodes.InvalidStageTransition, 400, "Stage must be 'staging', 'production' or 'retired'.");
        }

        // Four eyes and similar rules need the version itself: who produced it, what data it learned from, where it is going.
        var version = await registry.GetVersionAsync(name, request.Version, cancellationToken);
        if (!version.Succeeded && version.Failure.Status != StatusCodes.Status404NotFound)
        {
            // Fail closed: a version the policies cannot see (its sealed schema does not open) is not promoted unchecked.
            return Problems.From(version.Failure);
        }

        if (version.Succeeded && await AuthorizeOnVersionAsync(version.Value, request.Stage!, datasets, access, context, cancellationToken) is { } denied)
        {
            return Problems.From(denied);
        }

        var outcome = await registry.PromoteAsync(name, request.Version, target.Value, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded ? Respond(ModelVersionMapping.ToInfo(outcome.Value, registry)) : Problems.From(outcome.Failure);
    }

    /// <summary>
    /// The ABAC decision for a stage change of <paramref name="version"/> towards <paramref name="stage"/> (resource type
    /// <c>modelVersion</c> with its producer, current stage and training-data classification): promotion, approval,
    /// rollback and setting a challenger all answer to the same policies (<c>purpose</c> is "promotion" or "challenger").
    /// Null when permitted.
    /// </summary>
    internal static async Task<Core.Failure?> AuthorizeOnVersionAsync(ModelVersion version, string stage, DatasetCatalog datasets, AccessEvaluator access,
        HttpContext context, CancellationToken cancellationToken, string purpose = "promotion")
    {
        var resource = Core.Access.EntityAttributes.Create(
            ("type", AccessEvaluator.S("modelVersion")),
            ("id", AccessEvaluator.S($"{version.ModelName}/{version.Version}")),
            ("project", AccessEvaluator.S(version.ProjectId)),
            ("stage", AccessEvaluator.S(stage)),
            ("currentStage", AccessEvaluator.S(ModelRegistry.Name(version.Stage))),
            ("trainedBy", AccessEvaluator.S(version.CreatedBy)),
            ("purpose", AccessEvaluator.S(purpose)));
        if (version.DatasetId is { } datasetId && await datasets.GetAsync(datasetId, cancellationToken) is { Succeeded: true } dataset)
        {
            resource = resource.With("classification", Core.Access.AttributeValue.FromClassification(dataset.Value.Classification));
        }

        return await access.AuthorizeAsync(context, Permissions.ModelsPromote, resource);
    }

    private static async Task<Results<Created<ModelVersionInfo>, ProblemHttpResult>> ImportAsync(
        string name, HttpContext context, ModelImporter importer, ModelRegistry registry, IOptions<RegistryOptions> options, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var limits = new Dictionary<string, long>(StringComparer.Ordinal) { ["model"] = options.Value.MaxModelBytes, ["schema"] = SchemaPartBytes, ["signature"] = SchemaPartBytes };
        var form = await MultipartForm.ReadAsync(context.Request, limits, ErrorCodes.SchemaInvalid, cancellationToken);
        if (!form.Succeeded)
        {
            return Problems.From(form.Failure);
        }

        if (!form.Value.TryGetValue("model", out var model) || !form.Value.TryGetValue("schema", out var schemaPart))
        {
            return Problems.Of(ErrorCodes.SchemaInvalid, 400, "Send a multipart body with a 'model' file part and a 'schema' JSON part.");
        }

        ImportModelSchema? schema;
        try
        {
            schema = JsonSerializer.Deserialize<ImportModelSchema>(schemaPart.Content, json.Value.SerializerOptions);
        }
        catch (JsonException)
        {
            return Problems.Of(ErrorCodes.MalformedJson, 400, "The 'schema' part is not a valid ImportModelSchema JSON document.");
        }

        if (schema?.Features is null)
        {
            return Problems.Of(ErrorCodes.SchemaInvalid, 400, "The 'schema' part needs a task and features.");
        }

        var signature = form.Value.TryGetValue("signature", out var signaturePart) ? signaturePart.Content : null;
        var outcome = await importer.ImportOnnxAsync(name, model.Content, ModelVersionMapping.ToCore(schema), signature, context.GetPrincipal().Id, context.ClientAddress(),
            cancellationToken);
        if (!outcome.Succeeded)
        {
            return Problems.From(outcome.Failure);
        }

        var info = ModelVersionMapping.ToInfo(outcome.Value, registry);
        return info.Succeeded
            ? TypedResults.Created($"/api/v1/models/{name}/versions/{outcome.Value.Version}", info.Value)
            : Problems.From(info.Failure);
    }
}
