using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Datasets;

/// <summary>Limits on imported datasets. Bound from <c>Bulwark:Datasets</c> and validated at startup.</summary>
public sealed class DatasetsOptions
{
    public const string Section = "Bulwark:Datasets";

    /// <summary>Largest accepted upload in bytes; counted while reading, so a larger body is never buffered.</summary>
    [Range(1, 1L << 31)]
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most data rows (the header excluded).</summary>
    [Range(1, 100_000_000)]
    public int MaxRows { get; set; } = 1_000_000;

    [Range(1, 10_000)]
    public int MaxColumns { get; set; } = 512;

    /// <summary>Longest accepted cell, in characters.</summary>
    [Range(1, 1_000_000)]
    public int MaxCellLength { get; set; } = 256;
}
