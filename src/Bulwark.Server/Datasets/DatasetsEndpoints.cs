using Bulwark.Client.Contracts;
using Bulwark.Core;
using Bulwark.Core.Compliance;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Datasets;

/// <summary>Dataset import (CSV as <c>text/csv</c> or multipart) and the catalog. Rows are never returned.</summary>
internal static class DatasetsEndpoints
{
    /// <summary>Room for multipart boundaries and form fields on top of the CSV cap.</summary>
    private const long MultipartOverhead = 64 * 1024;

    public static IEndpointRouteBuilder MapDatasets(this IEndpointRouteBuilder app)
    {
        var maxBytes = app.ServiceProvider.GetRequiredService<IOptions<DatasetsOptions>>().Value.MaxBytes;
        var group = app.MapGroup("/api/v1/datasets").WithTags("Datasets");
        group.MapPost("/", ImportAsync).WithName("ImportDataset")
            .RequirePermission(Permissions.DatasetsWrite)
            .AcceptsContentTypes("text/csv", "multipart/form-data")
            .WithBodySizeLimit(maxBytes + MultipartOverhead)
            .RequireRateLimiting(RateLimiting.ImportsPolicy);
        group.MapGet("/", ListAsync).WithName("ListDatasets").RequirePermission(Permissions.DatasetsRead);
        group.MapGet("/{id:guid}", GetAsync).WithName("GetDataset").RequirePermission(Permissions.DatasetsRead).EvaluatesPolicyOnObject();
        return app;
    }

    private static async Task<Results<Created<DatasetInfo>, ProblemHttpResult>> ImportAsync(
        HttpContext context, DatasetImporter importer, DatasetCatalog catalog, IOptions<DatasetsOptions> options, CancellationToken cancellationToken)
    {
        var upload = await DatasetUpload.ReadAsync(context.Request, options.Value.MaxBytes, cancellationToken);
        if (!upload.Succeeded)
        {
            return Masked(upload.Failure);
        }

        var (fields, csv) = upload.Value;
        await using (csv)
        {
            if (!TryParseClassification(fields.Classification, out var classification))
            {
                return Problems.Of(ErrorCodes.DatasetInvalid, 400, "classification must be one of: public, internal, confidential, restricted.");
            }

            var tags = ColumnTags.ParseDeclarations(fields.Tags);
            if (!tags.Succeeded)
            {
                return Masked(tags.Failure);
            }

            var caller = context.GetPrincipal();
            var request = new DatasetImportRequest(fields.Name ?? "", classification, string.IsNullOrEmpty(fields.Label) ? null : fields.Label, null, caller.Id,
                context.ClientAddress(), tags.Value, string.IsNullOrEmpty(fields.Subject) ? null : fields.Subject);
            var outcome = await importer.ImportAsync(request, csv, cancellationToken);
            if (!outcome.Succeeded)
            {
                return Masked(outcome.Failure);
            }

            var info = ToInfo(outcome.Value, catalog);
            return info.Succeeded
                ? TypedResults.Created($"/api/v1/datasets/{outcome.Value.Id}", info.Value)
                : Problems.From(info.Failure);
        }
    }

    // Fails closed: a dataset whose sealed schema does not open makes the listing an integrity failure (logged by the
    // catalog), rather than silently hiding or misreporting that dataset.
    private static async Task<Results<Ok<DatasetInfo[]>, ProblemHttpResult>> ListAsync(
        DatasetCatalog catalog, AccessEvaluator access, HttpContext context, CancellationToken cancellationToken)
    {
        var infos = new List<DatasetInfo>();
        foreach (var dataset in await catalog.ListAsync(cancellationToken))
        {
            // The listing shows each dataset's schema and statistics: the same per-object policies as reading it one by
            // one; a dataset the caller may not read is left out.
            if (await access.AuthorizeAsync(context, Permissions.DatasetsRead, AccessEvaluator.DatasetAttributes(dataset)) is not null)
            {
                continue;
            }

            var info = ToInfo(dataset, catalog);
            if (!info.Succeeded)
            {
                return Problems.From(info.Failure);
            }

            infos.Add(info.Value);
        }

        return TypedResults.Ok(infos.ToArray());
    }

    private static async Task<Results<Ok<DatasetInfo>, ProblemHttpResult>> GetAsync(
        Guid id, DatasetCatalog catalog, AccessEvaluator access, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await catalog.GetAsync(id, cancellationToken);
        if (!outcome.Succeeded)
        {
            return Problems.From(outcome.Failure);
        }

        if (await access.AuthorizeAsync(context, Permissions.DatasetsRead, AccessEvaluator.DatasetAttributes(outcome.Value)) is { } denied)
        {
            return Problems.From(denied);
        }

        var info = ToInfo(outcome.Value, catalog);
        return info.Succeeded ? TypedResults.Ok(info.Value) : Problems.From(info.Failure);
    }

    /// <summary>A problem whose detail may quote what the caller sent (a field or column name): card numbers masked.</summary>
    private static ProblemHttpResult Masked(Failure failure) => Problems.From(failure with { Detail = PanMasking.Scrub(failure.Detail) });

    private static bool TryParseClassification(string? value, out DataClassification classification)
    {
        classification = default;

        // Names only: Enum.TryParse would also accept "2" or "1,2".
        return value is not null && value.All(char.IsAsciiLetter) && Enum.TryParse(value, ignoreCase: true, out classification);
    }

    /// <summary>Maps a dataset row, decrypting its sealed schema; a schema that does not open is dataset.integrity-failed.</summary>
    internal static Outcome<DatasetInfo> ToInfo(Dataset dataset, DatasetCatalog catalog)
    {
        var opened = catalog.ReadSchema(dataset);
        if (!opened.Succeeded)
        {
            return opened.Failure;
        }

        var schema = opened.Value;
        return new DatasetInfo(
            dataset.Id,
            dataset.Name,
            dataset.Classification.ToString().ToLowerInvariant(),
            dataset.ContentDigest,
            dataset.RowCount,
            dataset.SizeBytes,
            [.. schema.Columns.Select(ToColumn)],
            dataset.CreatedBy,
            dataset.CreatedAt,
            dataset.SubjectColumn);
    }

    /// <summary>
    /// A tagged column's minimum, maximum and categories are values of people in the data (an e-mail address, the
    /// highest SSN), and its mean and deviation are derived from them: only name, kind and tags are shown.
    /// </summary>
    private static DatasetColumn ToColumn(DatasetColumnSchema c) => c.Tag is null
        ? new DatasetColumn(c.Name, c.Kind.ToString().ToLowerInvariant(), c.Min, c.Max, c.Mean, c.StdDev, c.Categories, null, c.Detected, c.Protection)
        : new DatasetColumn(c.Name, c.Kind.ToString().ToLowerInvariant(), Tag: c.Tag, Detected: c.Detected, Protection: c.Protection);
}
