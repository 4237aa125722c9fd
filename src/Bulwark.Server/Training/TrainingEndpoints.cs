using Bulwark.Client.Contracts;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Training;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Bulwark.Server.Incidents;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bulwark.Server.Training;

/// <summary>Training runs as a background job: submit answers 202 with the job's location, and clients poll it.</summary>
internal static class TrainingEndpoints
{
    public static IEndpointRouteBuilder MapTraining(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/models/{name}/train", SubmitAsync).WithName("TrainModel").WithTags("Training")
            .RequirePermission(Permissions.ModelsTrain).EvaluatesPolicyOnObject().AcceptsJson().FrozenByContainment();
        app.MapGet("/api/v1/jobs/{id:guid}", GetAsync).WithName("GetJob").WithTags("Training")
            .RequirePermission(Permissions.ModelsRead);
        return app;
    }

    private static async Task<Results<Accepted<JobInfo>, ProblemHttpResult>> SubmitAsync(
        string name, TrainModelRequest request, TrainingJobs jobs, DatasetCatalog datasets, AccessEvaluator access, HttpContext context, CancellationToken cancellationToken)
    {
        // Training reads the dataset: the policies see the dataset (its classification) as the object of models:train.
        var dataset = await datasets.GetAsync(request.DatasetId, cancellationToken);
        if (!dataset.Succeeded && dataset.Failure.Status != StatusCodes.Status404NotFound)
        {
            // Fail closed: an object the policies cannot see (an integrity failure, say) is not trained on unchecked.
            return Problems.From(dataset.Failure);
        }

        if (dataset.Succeeded && await access.AuthorizeAsync(context, Permissions.ModelsTrain, AccessEvaluator.DatasetAttributes(dataset.Value)) is { } denied)
        {
            return Problems.From(denied);
        }

        var training = new TrainingRequest(request.DatasetId, request.LabelColumn, request.Task, request.Trainer, request.HoldoutFraction,
            request.Seed, request.Runtime, request.PositiveClass);
        var outcome = await jobs.SubmitAsync(name, training, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        return outcome.Succeeded
            ? TypedResults.Accepted($"/api/v1/jobs/{outcome.Value.Id}", ToInfo(outcome.Value))
            : Problems.From(outcome.Failure);
    }

    private static async Task<Results<Ok<JobInfo>, ProblemHttpResult>> GetAsync(Guid id, TrainingJobs jobs, CancellationToken cancellationToken)
    {
        var outcome = await jobs.GetAsync(id, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok(ToInfo(outcome.Value)) : Problems.From(outcome.Failure);
    }

    private static JobInfo ToInfo(TrainingJob job) => new(
        job.Id,
        job.Kind,
        job.State.ToString().ToLowerInvariant(),
        job.Progress,
        job.Message,
        job.ModelName,
        job.ResultVersion,
        job.ErrorCode,
        job.CreatedAt,
        job.UpdatedAt);
}
