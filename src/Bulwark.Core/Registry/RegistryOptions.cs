using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Registry;

/// <summary>Registry limits. Bound from <c>Bulwark:Registry</c>.</summary>
public sealed class RegistryOptions
{
    public const string Section = "Bulwark:Registry";

    /// <summary>Largest model file accepted for import (bytes).</summary>
    [Range(1024, 2L * 1024 * 1024 * 1024)]
    public long MaxModelBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most nodes an imported ONNX graph may have (all subgraphs included).</summary>
    [Range(1, 10_000_000)]
    public int MaxOnnxNodes { get; set; } = 50_000;

    /// <summary>Largest total size of an ONNX model's initializers (bytes).</summary>
    [Range(0, 2L * 1024 * 1024 * 1024)]
    public long MaxInitializerBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>How often every stored artifact is re-verified (also once shortly after every start).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan ReverifyInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Re-verify every artifact shortly after start as well (on by default).</summary>
    public bool ReverifyOnStart { get; set; } = true;

    /// <summary>
    /// Four eyes: production needs approval by someone other than whoever trained or imported the version (two distinct
    /// approvers when it learned from restricted data). On by default; a single-operator sandbox may turn it off.
    /// </summary>
    public bool RequireFourEyes { get; set; } = true;

    /// <summary>
    /// Public keys (ECDSA P-256, PEM "PUBLIC KEY") whose OpenSSF model-signing signatures are accepted on ONNX imports,
    /// one per entry (<c>Bulwark:Registry:TrustedSigners:0</c>, <c>:1</c>, …): a file path or the PEM text itself.
    /// Checked at startup; an entry that cannot be read or is not a P-256 public key stops the server.
    /// </summary>
    public List<string> TrustedSigners { get; set; } = [];

    /// <summary>Refuse ONNX imports that carry no signature by a trusted signer (off by default).</summary>
    public bool RequireExternalSignature { get; set; }

    /// <summary>
    /// Promotion gates per model (<see cref="PromotionGateOptions"/>): <c>Bulwark:Registry:Gates:&lt;project&gt;/&lt;model&gt;:…</c> for one
    /// project's model, or <c>Gates:&lt;model&gt;:…</c> for every project's model of that name (the fallback). Model names are
    /// unique per project only, so a bare name reaches models of different tenants.
    /// </summary>
    public Dictionary<string, PromotionGateOptions> Gates { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The gates of <paramref name="model"/> in <paramref name="projectId"/>: the project's own entry, else the bare-name one.</summary>
    public PromotionGateOptions? GatesFor(string projectId, string model) =>
        Gates.TryGetValue(projectId + "/" + model, out var own) ? own : Gates.GetValueOrDefault(model);

    /// <summary>Whether a per-model configuration key is <c>&lt;model&gt;</c> or <c>&lt;project&gt;/&lt;model&gt;</c>.</summary>
    public static bool IsModelKey(string key) => key.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0
        ? Projects.ProjectIds.IsValid(key[..slash]) && Identity.Permissions.IsValidModelName(key[(slash + 1)..])
        : Identity.Permissions.IsValidModelName(key);
}
