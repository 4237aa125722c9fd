using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Bulwark.Server.Datasets;

/// <summary>The caller's statements about an upload: from the query (text/csv) or the form fields (multipart).</summary>
/// <param name="Tags">Declared column tags, <c>column:tag[,column:tag…]</c>.</param>
/// <param name="Subject">The subject-id column (erasure and access requests match it).</param>
internal sealed record DatasetUploadFields(string? Name, string? Classification, string? Label, string? Tags = null, string? Subject = null);

/// <summary>
/// Reads a dataset upload. Multipart is parsed as a stream (not <c>ReadFormAsync</c>, which spools large files to a
/// temporary file in clear); the CSV part is held in memory, capped, until the importer encrypts it.
/// </summary>
internal static class DatasetUpload
{
    private const int MaxFieldLength = 1024;

    public static async Task<Outcome<(DatasetUploadFields Fields, Stream Csv)>> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
        {
            return Invalid("Content-Type is missing or invalid.");
        }

        if (!contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var fields = new DatasetUploadFields(request.Query["name"].FirstOrDefault(), request.Query["classification"].FirstOrDefault(), request.Query["label"].FirstOrDefault(),
                request.Query["tags"].FirstOrDefault(), request.Query["subject"].FirstOrDefault());
            return (fields, request.Body);
        }

        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 70)
        {
            return Invalid("The multipart boundary is missing or longer than 70 characters (RFC 2046 §5.1.1).");
        }

        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
        string? name = null, classification = null, label = null, tags = null, subject = null;
        MemoryStream? file = null;
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                return Invalid("Every multipart part needs a form-data Content-Disposition.");
            }

            var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
            if (disposition.IsFileDisposition() || field == "file")
            {
                if (field != "file" || file is not null)
                {
                    return Invalid("Send exactly one file part, named 'file'.");
                }

                file = new MemoryStream();
                if (!await CopyCappedAsync(section.Body, file, maxBytes, cancellationToken))
                {
                    return new Failure(ErrorCodes.DatasetTooLarge, 413, $"The CSV is larger than {maxBytes} bytes.");
                }

                file.Position = 0;
                continue;
            }

            var value = await ReadFieldAsync(section.Body, cancellationToken);
            if (value is null)
            {
                return Invalid($"Form field '{field}' is longer than {MaxFieldLength} bytes.");
            }

            switch (field)
            {
                case "name": name = value; break;
                case "classification": classification = value; break;
                case "label": label = value; break;
                case "tags": tags = value; break;
                case "subject": subject = value; break;
                default: return Invalid($"Unknown form field '{field}'; expected file, name, classification, label, tags, subject.");
            }
        }

        return file is null ? Invalid("The multipart body has no 'file' part.") : (new DatasetUploadFields(name, classification, label, tags, subject), file);
    }

    private static Failure Invalid(string detail) => new(ErrorCodes.DatasetInvalid, 400, detail);

    private static async Task<bool> CopyCappedAsync(Stream source, Stream destination, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                return false;
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return true;
    }

    private static async Task<string?> ReadFieldAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        return await CopyCappedAsync(body, buffer, MaxFieldLength, cancellationToken)
            ? new UTF8Encoding(false, throwOnInvalidBytes: false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length)
            : null;
    }
}
