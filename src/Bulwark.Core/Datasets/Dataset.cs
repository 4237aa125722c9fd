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

    /// <summary>
    /// The column that identifies the data subject of each row (GDPR Art. 4(1)), declared at import; erasure and access
    /// requests find a subject's rows by it. Null when the import declared none.
    /// </summary>
    public string? SubjectColumn { get; set; }
    public long SizeBytes { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The artifact object holding the rows when it is not <see cref="Id"/>: an erasure writes the rewritten rows to a
    /// new object and swaps this in the same transaction as the new digest, so a crash never leaves a half-written dataset.
    /// </summary>
    public Guid? ObjectId { get; set; }

    /// <summary>The artifact store's object id of the rows.</summary>
    public string StoredObjectId => (ObjectId ?? Id).ToString("N");
}
