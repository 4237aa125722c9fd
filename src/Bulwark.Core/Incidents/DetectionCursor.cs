namespace Bulwark.Core.Incidents;

/// <summary>How far the detection worker has read the audit ledger (one row, id 1), so a restart neither misses nor repeats events.</summary>
internal sealed class DetectionCursor
{
    public int Id { get; set; } = 1;
    public long Sequence { get; set; }
}
