using System.ComponentModel.DataAnnotations;

namespace Bulwark.Core.Crypto;

/// <summary>Where Bulwark keeps its state. Bound from the <c>Bulwark</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Bulwark";

    /// <summary>The data directory: database, encrypted objects, TLS material and (by default) the master key.</summary>
    [Required(ErrorMessage = "Bulwark:DataDir is required: pass --data-dir or set BULWARK__DATADIR.")]
    public string DataDir { get; set; } = "";

    /// <summary>The master key file; defaults to &lt;data-dir&gt;/master.key.</summary>
    public string? MasterKeyFile { get; set; }

    public string MasterKeyPath => MasterKeyFile ?? Path.Combine(DataDir, "master.key");

    public string DatabasePath => Path.Combine(DataDir, "bulwark.db");
}
