namespace Bulwark.Core.Datasets;

/// <summary>Stable problem codes of the dataset feature (the same strings as <c>Bulwark.Client.Contracts.ErrorCodes</c>).</summary>
internal static class DatasetErrors
{
    public const string CsvMalformed = "dataset.csv-malformed";
    public const string TooLarge = "dataset.too-large";
    public const string Invalid = "dataset.invalid";
    public const string NotFound = "dataset.not-found";

    /// <summary>The stored file failed authenticated decryption or its digest: altered, swapped or corrupted at rest.</summary>
    public const string IntegrityFailed = "dataset.integrity-failed";

    public static Failure Malformed(string detail) => new(CsvMalformed, 400, detail);

    public static Failure InvalidRequest(string detail) => new(Invalid, 400, detail);

    public static Failure Large(string detail) => new(TooLarge, 413, detail);

    public static Failure Missing(Guid id) => new(NotFound, 404, $"Dataset {id} does not exist.");
}
