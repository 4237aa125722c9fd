namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// Counts one subject's events in a sliding window and keeps the most recent evidence sequences. Memory is bounded by
/// the slot count and the evidence cap, not by the number of events.
/// </summary>
internal sealed class WindowCounter(WindowSlots slots, int maxEvidence)
{
    private readonly Queue<(long Slot, int Count)> closed = new();
    private readonly Queue<(long Ticks, long Sequence)> evidence = new();
    private long openSlot = -1;
    private int openCount;
    private long latest = long.MinValue;

    /// <summary>Events in the window as of the latest event added.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds an event that counts <paramref name="weight"/> times (a batch prediction of 64 rows is 64 predictions). Timestamps that run backwards (concurrent writers commit a few milliseconds out of order) are
    /// taken as the latest time seen, so the window never moves back.
    /// </summary>
    public void Add(DateTimeOffset at, long sequence, int weight = 1)
    {
        var now = Math.Max(at.UtcTicks, latest);
        latest = now;
        Prune(now);

        var slot = slots.SlotOf(now);
        if (slot != openSlot)
        {
            if (openCount > 0)
            {
                closed.Enqueue((openSlot, openCount));
            }

            openSlot = slot;
            openCount = 0;
        }

        openCount += weight;
        Count += weight;
        evidence.Enqueue((now, sequence));
        while (evidence.Count > maxEvidence)
        {
            evidence.Dequeue();
        }
    }

    public long[] Evidence() => evidence.Select(e => e.Sequence).ToArray();

    private void Prune(long now)
    {
        while (closed.TryPeek(out var head) && slots.IsSlotExpired(head.Slot, now))
        {
            closed.Dequeue();
            Count -= head.Count;
        }

        if (openCount > 0 && slots.IsSlotExpired(openSlot, now))
        {
            Count -= openCount;
            openCount = 0;
        }

        while (evidence.TryPeek(out var head) && slots.IsExpired(head.Ticks, now))
        {
            evidence.Dequeue();
        }
    }
}
