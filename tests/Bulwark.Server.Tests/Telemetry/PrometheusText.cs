using System.Globalization;

namespace Bulwark.Server.Tests.Telemetry;

/// <summary>Reads samples out of a Prometheus text exposition (format 0.0.4).</summary>
internal static class PrometheusText
{
    /// <summary>The sum of the samples of <paramref name="series"/> whose labels include every one of <paramref name="labels"/> (0 when none).</summary>
    public static double Sum(string exposition, string series, params string[] labels) =>
        Samples(exposition, series).Where(s => labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).Sum(s => s.Value);

    public static IEnumerable<(string Labels, double Value)> Samples(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(series + "{", StringComparison.Ordinal) && !line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            yield return (line[series.Length..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }
    }
}
