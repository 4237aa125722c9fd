namespace Bulwark.Core.Training;

/// <summary>A background job (training today). Progress is persisted so any client can poll it.</summary>
internal sealed class TrainingJob
{
    public Guid Id { get; set; }

    /// <summary>The owning project (the tenant boundary).</summary>
    public string ProjectId { get; set; } = "";
    public string Kind { get; set; } = "train";
    public JobState State { get; set; }

    /// <summary>0..1.</summary>
    public double Progress { get; set; }
    public string? Message { get; set; }
    public string ModelName { get; set; } = "";

    /// <summary>The <c>TrainingRequest</c> as JSON.</summary>
    public string RequestJson { get; set; } = "";

    /// <summary>On success: the version number produced.</summary>
    public int? ResultVersion { get; set; }

    /// <summary>Stable error code on failure.</summary>
    public string? ErrorCode { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
