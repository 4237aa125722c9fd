namespace Bulwark.Core.Training;

/// <summary>Stable problem codes of the training feature (the same strings as <c>Bulwark.Client.Contracts.ErrorCodes</c>).</summary>
internal static class TrainingErrors
{
    public const string InvalidRequest = "training.invalid-request";
    public const string Failed = "training.failed";
    public const string JobNotFound = "job.not-found";

    /// <summary>The process stopped while the job was running; the job is failed rather than silently re-run.</summary>
    public const string Interrupted = "training.interrupted";

    public static Failure Invalid(string detail) => new(InvalidRequest, 400, detail);

    public static Failure TrainingFailed(string detail) => new(Failed, 422, detail);
}
