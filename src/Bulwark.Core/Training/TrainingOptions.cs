using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Training;

/// <summary>Training job settings. Bound from <c>Bulwark:Training</c> and validated at startup.</summary>
public sealed class TrainingOptions
{
    public const string Section = "Bulwark:Training";

    /// <summary>Jobs trained at once. Training is CPU-bound: more than the core count only slows every job down.</summary>
    [Range(1, 64)]
    public int MaxConcurrentJobs { get; set; } = 1;
}
