namespace Bulwark.Core.Privacy;

/// <summary>Stable problem codes of data-subject requests and retention (the same strings as <c>Bulwark.Client.Contracts.ErrorCodes</c>).</summary>
internal static class PrivacyErrors
{
    public const string SubjectInvalid = "privacy.subject-invalid";
    public const string Invalid = "privacy.invalid";
    public const string BelowFloor = "privacy.retention-below-floor";
    public const string ErasureFailed = "privacy.erasure-failed";

    public static Failure Subject() => new(SubjectInvalid, 400, $"The subject key must be 1–{SubjectKeys.MaxLength} characters, none of them a control character.");

    public static Failure Request(string detail) => new(Invalid, 400, detail);

    public static Failure Floor(string detail, string kind, int floorDays) =>
        new(BelowFloor, 422, detail, new Dictionary<string, object?> { ["kind"] = kind, ["floorDays"] = floorDays });

    public static Failure Erasure(string detail) => new(ErasureFailed, 500, detail);
}
