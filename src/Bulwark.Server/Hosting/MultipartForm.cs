using Bulwark.Client.Contracts;
using Bulwark.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Bulwark.Server.Hosting;

/// <summary>One part of a multipart/form-data body, held in memory.</summary>
internal sealed record FormPart(string Name, string? FileName, byte[] Content);

/// <summary>
/// Reads a small multipart/form-data body (RFC 7578) into memory with per-part caps, instead of
/// <c>ReadFormAsync</c>, which spools large files to a temporary file in clear.
/// </summary>
internal static class MultipartForm
{
    /// <param name="limits">Part name → largest accepted size; any other part name is refused.</param>
    public static async Task<Outcome<Dictionary<string, FormPart>>> ReadAsync(
        HttpRequest request, IReadOnlyDictionary<string, long> limits, string invalidCode, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return new Failure(ErrorCodes.UnsupportedMediaType, 415, "Content-Type must be multipart/form-data.");
        }

        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 70)
        {
            return new Failure(invalidCode, 400, "The multipart boundary is missing or longer than 70 characters (RFC 2046 §5.1.1).");
        }

        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
        var parts = new Dictionary<string, FormPart>(StringComparer.Ordinal);
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                return new Failure(invalidCode, 400, "Every multipart part needs a form-data Content-Disposition.");
            }

            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (!limits.TryGetValue(name, out var limit))
            {
                return new Failure(invalidCode, 400, $"Unexpected part '{name}'; expected: {string.Join(", ", limits.Keys)}.");
            }

            if (parts.ContainsKey(name))
            {
                return new Failure(invalidCode, 400, $"Part '{name}' appears more than once.");
            }

            using var buffer = new MemoryStream();
            var bytes = new byte[81920];
            long total = 0;
            int read;
            while ((read = await section.Body.ReadAsync(bytes, cancellationToken)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    return new Failure(ErrorCodes.BodyTooLarge, 413, $"Part '{name}' is larger than {limit} bytes.");
                }

                buffer.Write(bytes, 0, read);
            }

            parts[name] = new FormPart(name, HeaderUtilities.RemoveQuotes(disposition.FileName).Value, buffer.ToArray());
        }

        return parts;
    }
}
