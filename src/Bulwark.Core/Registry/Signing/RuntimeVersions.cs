using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Bulwark.Core.Registry;

/// <summary>
/// The ML libraries a version was produced with and will run on (package name → version), read from the loaded
/// assemblies when the version is registered and signed into its manifest, so an AI BOM names them from signed data.
/// </summary>
internal static class RuntimeVersions
{
    public static IReadOnlyDictionary<string, string> Current { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Microsoft.ML"] = VersionOf(typeof(MLContext).Assembly),
        ["Microsoft.ML.FastTree"] = VersionOf(typeof(FastTreeBinaryTrainer).Assembly),
        ["Microsoft.ML.LightGbm"] = VersionOf(typeof(LightGbmBinaryTrainer).Assembly),
        ["Microsoft.ML.OnnxRuntime"] = VersionOf(typeof(InferenceSession).Assembly),
        ["Microsoft.NETCore.App"] = Environment.Version.ToString(),
    };

    // The informational version is the package version ("5.0.1+sha"); the assembly version is often pinned (5.0.0.0).
    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? assembly.GetName().Version?.ToString()
        ?? "unknown";
}
