using System.Diagnostics;
using Bulwark.Client.Contracts;
using Bulwark.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Bulwark.Server.Hosting;

/// <summary>RFC 9457 problem details with a stable <c>code</c> extension for every error the API returns.</summary>
internal static class Problems
{
    public const string CodeKey = "code";

    public static ProblemHttpResult From(Failure failure)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { [CodeKey] = failure.Code };
        if (failure.Extensions is not null)
        {
            foreach (var (key, value) in failure.Extensions)
            {
                extensions.TryAdd(key, value);
            }
        }

        return TypedResults.Problem(failure.Detail, statusCode: failure.Status, title: ReasonPhrases.GetReasonPhrase(failure.Status),
            type: TypeFor(failure.Code), extensions: extensions);
    }

    public static ProblemHttpResult Of(string code, int status, string detail) => From(new Failure(code, status, detail));

    public static string TypeFor(string code) => "urn:bulwark:problem:" + code;

    /// <summary>The code for a bare status (status code pages, framework-generated errors).</summary>
    public static string CodeForStatus(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthenticated,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.BodyTooLarge,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        >= 500 => ErrorCodes.Internal,
        _ => ErrorCodes.InvalidRequest,
    };

    /// <summary>Fills in what every problem must carry: type, title, code and the trace id to quote in a support request.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Status = status;
        if (!problem.Extensions.TryGetValue(CodeKey, out var code) || code is null)
        {
            code = CodeForStatus(status);
            problem.Extensions[CodeKey] = code;
        }

        if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
        {
            problem.Type = TypeFor((string)code);
        }

        problem.Title ??= ReasonPhrases.GetReasonPhrase(status);
        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
    }

    /// <summary>Writes a problem from middleware (outside an endpoint), through the registered problem details service.</summary>
    public static async Task WriteAsync(HttpContext context, string code, int status, string detail)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails
        {
            Status = status,
            Title = ReasonPhrases.GetReasonPhrase(status),
            Type = TypeFor(code),
            Detail = detail,
            Extensions = { [CodeKey] = code },
        };
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
        }
    }
}
