namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// Time arithmetic of a sliding window kept in <see cref="PerWindow"/> slots: an event counts for at least the window
/// and at most one slot (1/60 of the window) longer. Slots bound the memory of a busy subject whatever the threshold.
/// </summary>
internal readonly record struct WindowSlots
{
    public const int PerWindow = 60;

    public WindowSlots(TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        WindowTicks = window.Ticks;
        SlotTicks = Math.Max(1, window.Ticks / PerWindow);
    }

    public long WindowTicks { get; }

    public long SlotTicks { get; }

    public long SlotOf(long ticks) => ticks / SlotTicks;

    /// <summary>A slot leaves the window once all of it lies before <c>now - window</c>.</summary>
    public bool IsSlotExpired(long slot, long now) => (slot + 1) * SlotTicks <= now - WindowTicks;

    public bool IsExpired(long ticks, long now) => IsSlotExpired(SlotOf(ticks), now);
}
