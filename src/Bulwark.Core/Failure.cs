namespace Bulwark.Core;

/// <summary>
/// An expected failure: a stable problem <paramref name="Code"/> (see the API's error code list), the HTTP status it maps
/// to, and a detail safe to show the caller (never a secret, a stack trace or another tenant's data).
/// </summary>
internal sealed record Failure(string Code, int Status, string Detail, IReadOnlyDictionary<string, object?>? Extensions = null);
