namespace Bulwark.Core.Datasets;

/// <summary>An imported dataset. The rows live encrypted in the artifact store under purpose "dataset".</summary>
internal sealed class Dataset
{
    public Guid Id { get; set; }

    /// <summary>The owning project (the tenant boundary).</summary>
    public string ProjectId { get; set; } = "";
    public string Name { get; set; } = "";
    public DataClassification Classification { get; set; }

    /// <summary>The <c>DatasetSchema</c> as JSON.</summary>
    public string SchemaJson { get; set; } = "";

    /// <summary>SHA-256 of the CSV bytes as uploaded, lowercase hex.</summary>
    public string ContentDigest { get; set; } = "";
    public int RowCount { get; set; }
    public long SizeBytes { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}
