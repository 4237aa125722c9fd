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

    /// <summary>Promotion gates per model name (<c>Bulwark:Registry:Gates:&lt;model&gt;:…</c>); see <see cref="PromotionGateOptions"/>.</summary>
    public Dictionary<string, PromotionGateOptions> Gates { get; set; } = new(StringComparer.Ordinal);
}
