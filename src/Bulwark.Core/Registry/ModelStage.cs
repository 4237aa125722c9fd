namespace Bulwark.Core.Registry;

/// <summary>Lifecycle stage of a model version. At most one version of a model is in production.</summary>
public enum ModelStage
{
    Candidate,
    Production,
    Retired,

    /// <summary>Taken out of service by containment or a failed re-verification; serves nothing until reinstated.</summary>
    Quarantined,

    /// <summary>Passed its promotion gates and waits for production approval; serves only by explicit version to registry readers.</summary>
    Staging,
}
