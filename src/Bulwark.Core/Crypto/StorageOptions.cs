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

    /// <summary>
    /// SQLite <c>PRAGMA synchronous</c> in WAL mode. <c>NORMAL</c> (default) survives process crashes with no loss and
    /// never corrupts; after a power loss the last commits before the crash may roll back. <c>FULL</c> fsyncs every
    /// commit (every audit group commit) and costs prediction throughput; choose it where that trade is required.
    /// </summary>
    [RegularExpression("^(NORMAL|FULL|EXTRA)$", ErrorMessage = "Bulwark:SqliteSynchronous must be NORMAL, FULL or EXTRA (OFF is not allowed: it can corrupt the audit ledger).")]
    public string SqliteSynchronous { get; set; } = "NORMAL";

    public string MasterKeyPath => MasterKeyFile ?? Path.Combine(DataDir, "master.key");

    public string DatabasePath => Path.Combine(DataDir, "bulwark.db");
}
