using System.Globalization;
using Bulwark.Client.Contracts;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Serving;

/// <summary>
/// Predictions: the friendly <c>POST /v1/models/{name}:predict</c> and the Open Inference Protocol v2 paths. The body is
/// handed to Core raw: Core's parser, not a serializer, validates it against the version's signed schema.
/// </summary>
internal static class ServingEndpoints
{
    public const string ModelVersionHeader = "X-Bulwark-Model-Version";
    public const string ManifestDigestHeader = "X-Bulwark-Manifest-Digest";
    public const string PredictionIdHeader = "X-Bulwark-Prediction-Id";

    /// <summary>How many rows of a served request were unlike the training data (out-of-distribution action "flag").</summary>
    public const string OutOfDistributionHeader = "Bulwark-Ood";

    /// <summary>Names the data subject a prediction is about; the capture keeps only its HMAC (erasure and access find it).</summary>
    public const string SubjectHeader = "Bulwark-Subject";

    public static IEndpointRouteBuilder MapServing(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/models/{name}:predict", PredictV1Async).WithName("Predict").WithTags("Serving")
            .RequirePermission(PermissionPolicies.PredictRouteModel).AcceptsJson();

        var v2 = app.MapGroup("/v2/models/{name}").WithTags("Serving").RequirePermission(PermissionPolicies.PredictRouteModel);
        v2.MapGet("/", MetadataAsync).WithName("OipModelMetadata");
        v2.MapGet("/ready", ReadyAsync).WithName("OipModelReady");
        v2.MapGet("/versions/{version:int}", VersionMetadataAsync).WithName("OipModelVersionMetadata");
        v2.MapGet("/versions/{version:int}/ready", VersionReadyAsync).WithName("OipModelVersionReady");
        v2.MapPost("/infer", InferAsync).WithName("OipInfer").AcceptsJson();
        v2.MapPost("/versions/{version:int}/infer", InferVersionAsync).WithName("OipInferVersion").AcceptsJson();
        return app;
    }

    private static async Task<Results<Ok<PredictResponse>, ProblemHttpResult>> PredictV1Async(
        string name, HttpContext context, PredictionService predictions, IOptions<ServingOptions> options, CancellationToken cancellationToken)
    {
        var outcome = await PredictAsync(name, null, PredictionProtocol.V1, context, predictions, options.Value, cancellationToken);
        if (!outcome.Succeeded)
        {
            return Problems.From(outcome.Failure);
        }

        var result = outcome.Value;
        return TypedResults.Ok(new PredictResponse(result.Model, result.Version, result.ManifestDigest,
            [.. result.Predictions.Select(p => new Prediction(p.Label, p.Score, p.Value, p.Probabilities))], result.PredictionId));
    }

    private static Task<Results<Ok<OipInferenceResponse>, ProblemHttpResult>> InferAsync(
        string name, HttpContext context, PredictionService predictions, IOptions<ServingOptions> options, CancellationToken cancellationToken) =>
        InferCoreAsync(name, null, context, predictions, options.Value, cancellationToken);

    private static Task<Results<Ok<OipInferenceResponse>, ProblemHttpResult>> InferVersionAsync(
        string name, int version, HttpContext context, PredictionService predictions, IOptions<ServingOptions> options, CancellationToken cancellationToken) =>
        InferCoreAsync(name, version, context, predictions, options.Value, cancellationToken);

    private static async Task<Results<Ok<OipInferenceResponse>, ProblemHttpResult>> InferCoreAsync(
        string name, int? version, HttpContext context, PredictionService predictions, ServingOptions options, CancellationToken cancellationToken)
    {
        var outcome = await PredictAsync(name, version, PredictionProtocol.OipV2, context, predictions, options, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(outcome.Value.ToOipV2()) : Problems.From(outcome.Failure);
    }

    private static async Task<Bulwark.Core.Outcome<PredictionResult>> PredictAsync(
        string name, int? version, PredictionProtocol protocol, HttpContext context, PredictionService predictions, ServingOptions options, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(context.Request, options.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return new Bulwark.Core.Failure(ErrorCodes.BodyTooLarge, 413, $"Prediction bodies are limited to {options.MaxBodyBytes} bytes.");
        }

        var principal = context.GetPrincipal();
        var subject = context.Request.Headers[SubjectHeader];
        if (subject.Count > 1 || (subject.Count == 1 && !Core.Privacy.SubjectKeys.IsValid(subject[0])))
        {
            return new Bulwark.Core.Failure(ErrorCodes.PrivacySubjectInvalid, 400,
                $"Send at most one {SubjectHeader} header of 1–256 printable characters (the data subject the request is about).");
        }

        // Full-precision scores and class probabilities help model extraction: only with the explicit scope (admin holds it).
        var call = new PredictionCall(name, version, body, protocol, principal, context.ClientAddress(), principal.Has(Permissions.PredictionsFull),
            subject.Count == 1 ? Core.Privacy.SubjectKeys.Normalise(subject[0]!) : null);
        var outcome = await predictions.PredictAsync(call, cancellationToken);
        if (outcome.Succeeded)
        {
            context.Response.Headers[ModelVersionHeader] = outcome.Value.Version.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers[ManifestDigestHeader] = outcome.Value.ManifestDigest;
            context.Response.Headers[PredictionIdHeader] = outcome.Value.PredictionId.ToString("D");
            if (outcome.Value.OutOfDistribution is { } flagged)
            {
                context.Response.Headers[OutOfDistributionHeader] = flagged.FlaggedRows.ToString(CultureInfo.InvariantCulture);
            }
        }
        else if (outcome.Failure.Extensions?.TryGetValue("retryAfterSeconds", out var retry) == true && retry is long seconds)
        {
            // RFC 9110 §10.2.3: when the budget renews.
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return outcome;
    }

    private static async Task<Results<Ok<OipModelMetadata>, ProblemHttpResult>> MetadataAsync(string name, ModelRegistry registry, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await registry.GetProductionAsync(name, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(await OipMetadata.DescribeAsync(outcome.Value, registry, context, cancellationToken)) : NotReady(outcome.Failure);
    }

    private static async Task<Results<Ok<OipModelMetadata>, ProblemHttpResult>> VersionMetadataAsync(
        string name, int version, ModelRegistry registry, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await registry.GetVersionAsync(name, version, cancellationToken);
        if (!outcome.Succeeded)
        {
            return NotReady(outcome.Failure);
        }

        return PredictionService.MayServe(context.GetPrincipal(), outcome.Value)
            ? TypedResults.Ok(await OipMetadata.DescribeAsync(outcome.Value, registry, context, cancellationToken))
            : NotServable(name, version);
    }

    private static async Task<Results<Ok<OipModelReady>, ProblemHttpResult>> ReadyAsync(string name, ModelRegistry registry, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await registry.GetProductionAsync(name, cancellationToken);
        return outcome.Succeeded ? Ready(outcome.Value, context) : NotReady(outcome.Failure);
    }

    private static async Task<Results<Ok<OipModelReady>, ProblemHttpResult>> VersionReadyAsync(
        string name, int version, ModelRegistry registry, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await registry.GetVersionAsync(name, version, cancellationToken);
        if (!outcome.Succeeded)
        {
            return NotReady(outcome.Failure);
        }

        return PredictionService.MayServe(context.GetPrincipal(), outcome.Value)
            ? Ready(outcome.Value, context)
            : NotServable(name, version);
    }

    // Same rule as serving: retired versions are never ready, candidates only for callers who may read the registry,
    // so a predict-only key learns nothing about versions it cannot use.
    private static ProblemHttpResult NotServable(string name, int version) =>
        Problems.Of(ErrorCodes.ModelNotReady, 404, $"Model '{name}' has no servable version {version}.");

    private static Ok<OipModelReady> Ready(ModelVersion version, HttpContext context)
    {
        OipMetadata.SetVersionHeaders(version, context);
        return TypedResults.Ok(new OipModelReady(version.ModelName, version.Version.ToString(CultureInfo.InvariantCulture), true));
    }

    // Missing model, missing version and "no production version" all read as "not ready" to a predict-scoped caller.
    // Server-side failures (5xx: a tampered stage, an integrity failure) keep their own code and status: reporting them
    // as "not ready" would hide tampering from the caller and from monitoring.
    private static ProblemHttpResult NotReady(Bulwark.Core.Failure failure) =>
        failure.Status >= StatusCodes.Status500InternalServerError
            ? Problems.From(failure)
            : Problems.Of(ErrorCodes.ModelNotReady, 404, failure.Detail);
}
