namespace Bulwark.Core.Audit;

/// <summary>
/// A signed statement that the ledger's event <see cref="Sequence"/> had hash <see cref="HeadHash"/>. The hash chain
/// finds an edited, deleted or reordered row; a checkpoint also finds a truncated tail, which the chain alone cannot.
/// </summary>
internal sealed class AuditCheckpoint
{
    public long Sequence { get; set; }
    public string HeadHash { get; set; } = "";
    public DateTimeOffset SignedAt { get; set; }
    public string KeyId { get; set; } = "";

    /// <summary>The DSSE envelope over the <see cref="CheckpointStatement"/>: the only part verification trusts.</summary>
    public string Envelope { get; set; } = "";
}
