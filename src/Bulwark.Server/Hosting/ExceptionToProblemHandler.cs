using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Compliance.Redaction;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Bulwark.Server.Hosting;

/// <summary>
/// The one place exceptions become responses. Request-envelope exceptions (body too large, malformed JSON, wrong
/// media type) are the caller's fault and map to 4xx; anything else is a 500 that never leaks details outside
/// Development.
/// </summary>
internal sealed partial class ExceptionToProblemHandler(IProblemDetailsService problems, IHostEnvironment environment, ILogger<ExceptionToProblemHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        var (status, code, detail) = Classify(exception);
        if (status >= 500)
        {
            // The route template says which endpoint failed; the concrete path may name a person (a login, a subject).
            // (The exception handler clears the endpoint before handlers run; its feature keeps the one that threw.)
            var endpoint = httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
            var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no endpoint)";
            LogUnhandled(logger, exception, httpContext.Request.Method, route, httpContext.Request.Path);
            if (environment.IsDevelopment())
            {
                detail = exception.ToString();
            }
        }

        httpContext.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Type = Problems.TypeFor(code), Detail = detail, Extensions = { [Problems.CodeKey] = code } };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    internal static (int Status, string Code, string Detail) Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                    return (413, ErrorCodes.BodyTooLarge, "The request body is larger than this endpoint accepts.");
                case BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType }:
                    return (415, ErrorCodes.UnsupportedMediaType, "Content-Type must be application/json.");
                case Core.Identity.PersonalFieldIntegrityException integrity:
                    // A user row edited outside Bulwark: refused as a conflict with a clear code, never shown with a wrong login.
                    return (409, Core.Identity.PersonalFieldIntegrityException.Code, integrity.Message);
                case Core.Crypto.KeyVersionUnavailableException key:
                    // The data is intact but the key ring refuses the version that wrapped it: an operator must act (503, never a 500).
                    return (503, key.Code, key.Message);
                case JsonException:
                    return (400, ErrorCodes.MalformedJson, "The request body is not valid JSON for this endpoint (unknown, duplicate or mistyped fields, or bad syntax).");
            }
        }

        return exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, ErrorCodes.InvalidRequest, "The request could not be read."),
            _ => (500, ErrorCodes.Internal, "An unexpected error occurred. Quote the traceId when reporting it."),
        };
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Route} ({Path})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string route, [PersonalData] string path);
}
