using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Bulwark.Server.Hosting;

/// <summary>Endpoint metadata: the media types an endpoint accepts in its body.</summary>
internal sealed record AcceptedContentTypes(IReadOnlyList<string> MediaTypes);

/// <summary>Endpoint metadata: the largest body an endpoint accepts (overrides the server-wide cap).</summary>
internal sealed record BodySizeLimit(long Bytes);

internal static class RequestEnvelopeExtensions
{
    public static TBuilder AcceptsContentTypes<TBuilder>(this TBuilder builder, params string[] mediaTypes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AcceptedContentTypes(mediaTypes));

    public static TBuilder AcceptsJson<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AcceptsContentTypes("application/json");

    public static TBuilder WithBodySizeLimit<TBuilder>(this TBuilder builder, long bytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodySizeLimit(bytes));
}

/// <summary>
/// The request envelope, checked before authentication and before any byte of the body is parsed: the per-endpoint
/// body cap (413) and the content-type allow-list (415).
/// </summary>
internal sealed class RequestEnvelopeMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            return next(context);
        }

        if (endpoint is not RouteEndpoint && endpoint.RequestDelegate is { } reject)
        {
            // Routing's own rejections (405 wrong method, 415 wrong media type) are envelope errors: answer them
            // as such, before authentication, instead of letting the deny-by-default fallback turn them into 401/403.
            return reject(context);
        }

        if (endpoint.Metadata.GetMetadata<BodySizeLimit>() is { } limit)
        {
            var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (feature is { IsReadOnly: false })
            {
                feature.MaxRequestBodySize = limit.Bytes;
            }
        }

        var max = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (max is not null && context.Request.ContentLength > max)
        {
            return Problems.WriteAsync(context, Client.Contracts.ErrorCodes.BodyTooLarge, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than this endpoint accepts ({max} bytes).");
        }

        // Ask the server whether a body can follow rather than inferring it from headers: an HTTP/2 or HTTP/3 request
        // carries a body in DATA frames with neither Content-Length nor Transfer-Encoding (RFC 9113 §8.1), and must not
        // slip past the allow-list that way.
        var hasBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0);
        if (hasBody && endpoint.Metadata.GetMetadata<AcceptedContentTypes>() is { } accepted && !IsAccepted(context.Request.ContentType, accepted))
        {
            return Problems.WriteAsync(context, Client.Contracts.ErrorCodes.UnsupportedMediaType, StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type must be one of: {string.Join(", ", accepted.MediaTypes)}.");
        }

        return next(context);
    }

    private static bool IsAccepted(string? contentType, AcceptedContentTypes accepted)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return false;
        }

        var mediaType = parsed.MediaType.Value;
        return accepted.MediaTypes.Any(t => string.Equals(t, mediaType, StringComparison.OrdinalIgnoreCase));
    }
}
