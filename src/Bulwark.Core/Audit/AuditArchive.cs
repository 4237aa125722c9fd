namespace Bulwark.Core.Audit;

/// <summary>
/// A range of events moved out of the hot table into a verifiable export file. The signed archive statement kept here
/// (<see cref="ArchiveStatement"/>) links the archives into one chain from sequence 1 and anchors the hot chain: its first
/// event must link to <see cref="LastHash"/>. Only the archiver signs that kind of statement, so a row forged from an
/// export statement cannot claim that deleted events were archived.
/// </summary>
internal sealed class AuditArchive
{
    public Guid Id { get; set; }
    public long FromSequence { get; set; }
    public long ToSequence { get; set; }
    public string LastHash { get; set; } = "";
    public long EventCount { get; set; }

    /// <summary>File name inside the archive directory (no path).</summary>
    public string FileName { get; set; } = "";
    public string FileSha256 { get; set; } = "";

    /// <summary>The DSSE envelope of the <see cref="ArchiveStatement"/> (signed by the audit key; binds the file's SHA-256).</summary>
    public string StatementEnvelope { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the file was deleted at the end of its retention; the row stays as the chain's anchor.</summary>
    public DateTimeOffset? PurgedAt { get; set; }
}
