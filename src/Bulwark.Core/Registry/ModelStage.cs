namespace Bulwark.Core.Registry;

/// <summary>Lifecycle stage of a model version. At most one version of a model is in production.</summary>
public enum ModelStage
{
    Candidate,
    Production,
    Retired,
}
