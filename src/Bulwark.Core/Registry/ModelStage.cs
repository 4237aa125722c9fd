namespace Bulwark.Core.Registry;

/// <summary>Lifecycle stage of a model version. At most one version of a model is in production.</summary>
public enum ModelStage
{
    Candidate,
    Production,
    Retired,

    /// <summary>Taken out of service by containment or a failed re-verification; serves nothing until reinstated.</summary>
    Quarantined,
}
