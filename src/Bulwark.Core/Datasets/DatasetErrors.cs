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

    /// <summary>The upload holds a card number and the project's PAN policy is "reject" (or it is where none can be kept).</summary>
    public const string PanDetected = "dataset.pan-detected";

    /// <summary>A declared column tag contradicts what the column holds (a card-number column declared anything but pci).</summary>
    public const string TagConflict = "dataset.tag-conflict";

    public static Failure Malformed(string detail) => new(CsvMalformed, 400, detail);

    public static Failure InvalidRequest(string detail) => new(Invalid, 400, detail);

    public static Failure Large(string detail) => new(TooLarge, 413, detail);

    /// <summary>A 422 naming where the card number is; <paramref name="detail"/> must already be masked.</summary>
    public static Failure Pan(string detail, string? column = null, int? row = null) =>
        new(PanDetected, 422, detail, column is null ? null : new Dictionary<string, object?> { ["column"] = column, ["row"] = row });

    public static Failure Conflict(string detail, string column) =>
        new(TagConflict, 422, detail, new Dictionary<string, object?> { ["column"] = column });

    public static Failure Missing(Guid id) => new(NotFound, 404, $"Dataset {id} does not exist.");
}
