namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// De-duplication per subject: the first detection opens a cool-down; detections for the same subject before it ends
/// are continuations and extend it. A subject is new again only after a full cool-down without detections, so a long
/// attack stays one incident rather than one per cool-down.
/// </summary>
internal sealed class CooldownGate(TimeSpan cooldown, int capacity)
{
    private readonly SubjectTable<long> endsAt = new(capacity);

    public int Count => endsAt.Count;

    /// <summary>Records a detection for <paramref name="subject"/>; true when it continues an earlier one.</summary>
    public bool Enter(string subject, DateTimeOffset at)
    {
        if (cooldown <= TimeSpan.Zero)
        {
            return false;
        }

        var now = at.UtcTicks;
        var continuing = endsAt.TryGet(subject, out var end) && now < end;
        endsAt.Set(subject, Math.Max(end, now + cooldown.Ticks));
        return continuing;
    }
}
