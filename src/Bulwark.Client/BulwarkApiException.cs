namespace Bulwark.Client;

/// <summary>
/// The server answered with an error status. Carries the RFC 9457 problem details fields, including the stable
/// <see cref="Code"/> (see <see cref="Contracts.ErrorCodes"/>).
/// </summary>
public sealed class BulwarkApiException : Exception
{
    /// <summary>Creates an exception for an error response.</summary>
    public BulwarkApiException(int statusCode, string? code, string? title, string? detail)
        : base(BuildMessage(statusCode, code, title, detail))
    {
        StatusCode = statusCode;
        Code = code;
        Title = title;
        Detail = detail;
    }

    /// <summary>Creates an exception with only a message (status 0).</summary>
    public BulwarkApiException()
        : this(0, null, null, null)
    {
    }

    /// <summary>Creates an exception with only a message (status 0).</summary>
    public BulwarkApiException(string message)
        : base(message)
    {
        Detail = message;
    }

    /// <summary>Creates an exception with only a message (status 0) and an inner exception.</summary>
    public BulwarkApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Detail = message;
    }

    /// <summary>HTTP status code of the response.</summary>
    public int StatusCode { get; }

    /// <summary>The problem's stable <c>code</c> extension, when the server sent one.</summary>
    public string? Code { get; }

    /// <summary>The problem's <c>title</c>.</summary>
    public string? Title { get; }

    /// <summary>The problem's <c>detail</c>: safe to show to the user.</summary>
    public string? Detail { get; }

    /// <summary>The whole problem document, for extension members (e.g. a rejected password's <c>strength</c>).</summary>
    public System.Text.Json.JsonElement? Problem { get; init; }

    private static string BuildMessage(int status, string? code, string? title, string? detail) =>
        $"HTTP {status}{(code is null ? string.Empty : " " + code)}: {detail ?? title ?? "request failed"}";
}
