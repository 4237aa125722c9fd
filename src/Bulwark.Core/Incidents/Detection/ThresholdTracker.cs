namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// "At least N events within a window" per key, with cool-down per subject. After a hit the key's window starts empty,
/// so a continuing attack yields one continuation per further N events rather than one per event.
/// </summary>
internal sealed class ThresholdTracker
{
    private readonly SubjectTable<WindowCounter> counters;
    private readonly CooldownGate cooldowns;
    private readonly Func<WindowCounter> createCounter;
    private readonly int threshold;

    public ThresholdTracker(WindowRuleOptions rule, DetectionOptions options)
    {
        threshold = rule.Threshold;
        var slots = new WindowSlots(rule.Window);
        var maxEvidence = options.MaxEvidence;
        createCounter = () => new WindowCounter(slots, maxEvidence);
        counters = new SubjectTable<WindowCounter>(options.MaxTrackedSubjects);
        cooldowns = new CooldownGate(rule.Cooldown, options.MaxTrackedSubjects);
    }

    public int TrackedSubjects => counters.Count;

    /// <summary>For detections a rule makes outside the window (one decisive event): same cool-down as the window hits.</summary>
    public bool EnterCooldown(string subject, DateTimeOffset at) => cooldowns.Enter(subject, at);

    /// <summary>Counts the event under <paramref name="key"/>; a hit is de-duplicated under <paramref name="subject"/>.</summary>
    public ThresholdHit? Record(string key, string subject, DateTimeOffset at, long sequence, int weight = 1)
    {
        var counter = counters.GetOrAdd(key, createCounter);
        counter.Add(at, sequence, weight);
        if (counter.Count < threshold)
        {
            return null;
        }

        var hit = new ThresholdHit(counter.Count, counter.Evidence(), cooldowns.Enter(subject, at));
        counters.Remove(key);
        return hit;
    }
}
