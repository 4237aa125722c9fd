using System.Globalization;

namespace Bulwark.Core.Incidents.Detection;

/// <summary>Invariant formatting for facts and summaries, so detections read the same on every server.</summary>
internal static class DetectionText
{
    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerHour == 0 ? Number((long)span.TotalHours) + " h"
        : span.Ticks % TimeSpan.TicksPerMinute == 0 ? Number((long)span.TotalMinutes) + " min"
        : Number((long)Math.Ceiling(span.TotalSeconds)) + " s";

    /// <summary>The first <paramref name="max"/> items, then how many more: bounded text for a fact.</summary>
    public static string List(IEnumerable<string> items, int max)
    {
        var all = items.ToList();
        var shown = string.Join(", ", all.Take(max));
        return all.Count > max ? $"{shown} (+{Number(all.Count - max)} more)" : shown;
    }
}
