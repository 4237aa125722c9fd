using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Serving;

/// <summary>
/// Model-extraction defences on the prediction path, per principal and model: a daily query budget (rows per UTC day),
/// and detection of near-duplicate query clusters — one input queried again and again with tiny jitter, the pattern of
/// probing a decision boundary (OWASP ML Top 10 ML05, model theft; MITRE ATLAS AML.T0024).
/// </summary>
/// <remarks>
/// Near-duplicates are found by quantising each numeric feature to a grid of <see cref="ServingOptions.ProbingGridFraction"/>
/// of its training standard deviation (2 significant digits for imported models without statistics) and hashing the
/// row: jittered copies of one input share a cell, distinct real inputs almost never do. State is in memory, per process,
/// and bounded (<see cref="MaxTracked"/> principal-model pairs; the oldest are forgotten first).
/// </remarks>
internal sealed class ExtractionGuard(IOptions<ServingOptions> options, TimeProvider time)
{
    public const int MaxTracked = 10_000;
    private readonly ConcurrentDictionary<string, Budget> _budgets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Cluster> _clusters = new(StringComparer.Ordinal);

    /// <summary>What the guard concluded about one request.</summary>
    /// <param name="Refused">The budget is spent: answer 429 (<see cref="ServingErrors.QueryBudgetExhausted"/>).</param>
    /// <param name="FirstExhaustion">This request is the first refused today: audit it once (4010).</param>
    /// <param name="ProbingDetected">A near-duplicate cluster crossed the threshold (once per cool-down): audit it (4011).</param>
    public sealed record Verdict(bool Refused, bool FirstExhaustion, bool ProbingDetected, TimeSpan RetryAfter, long Budget);

    public Verdict Check(string projectId, string principal, string model, ParsedBatch batch, FeatureSchema schema)
    {
        var limits = options.Value;
        var key = projectId + "\n" + principal + "\n" + model;
        var now = time.GetUtcNow();
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var budget = limits.QueryBudgets.TryGetValue(model, out var perModel) ? perModel : limits.DailyQueryBudget;
        var retryAfter = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) - now.UtcDateTime;

        Evict(_budgets);
        var entry = _budgets.GetOrAdd(key, _ => new Budget());
        bool refused, first;
        lock (entry)
        {
            if (entry.Day != day)
            {
                entry.Day = day;
                entry.Rows = 0;
                entry.Exhausted = false;
            }

            entry.LastSeen = now;
            refused = entry.Rows + batch.Rows > budget;
            first = refused && !entry.Exhausted;
            if (refused)
            {
                entry.Exhausted = true;
            }
            else
            {
                entry.Rows += batch.Rows;
            }
        }

        var probing = !refused && ObserveCluster(key, batch, schema, limits, now);
        return new Verdict(refused, first, probing, retryAfter, budget);
    }

    private bool ObserveCluster(string key, ParsedBatch batch, FeatureSchema schema, ServingOptions limits, DateTimeOffset now)
    {
        Evict(_clusters);
        var cluster = _clusters.GetOrAdd(key, _ => new Cluster(limits.ProbingWindow));
        var detected = false;
        lock (cluster)
        {
            cluster.LastSeen = now;
            for (var r = 0; r < batch.Rows; r++)
            {
                var cell = Cell(batch.NumericRow(r), schema, limits.ProbingGridFraction);
                var count = cluster.Add(cell);
                if (count >= limits.ProbingThreshold && now >= cluster.QuietUntil)
                {
                    cluster.QuietUntil = now + limits.ProbingCooldown;
                    detected = true;
                }
            }
        }

        return detected;
    }

    /// <summary>FNV-1a over the quantised numeric features (categorical slots are part of the row only through their position).</summary>
    internal static ulong Cell(ReadOnlySpan<double> row, FeatureSchema schema, double gridFraction)
    {
        var hash = 14695981039346656037UL;
        for (var i = 0; i < row.Length && i < schema.Features.Count; i++)
        {
            if (schema.Features[i].Kind != FeatureKind.Numeric)
            {
                continue;
            }

            var value = row[i];
            var std = schema.Features[i].Statistics?.StdDev;
            long bucket;
            if (std is > 0)
            {
                bucket = (long)Math.Floor(value / (std.Value * gridFraction));
            }
            else
            {
                // Two significant digits: the relative grid for features without training statistics.
                var magnitude = value == 0 ? 0 : Math.Floor(Math.Log10(Math.Abs(value))) - 1;
                bucket = (long)Math.Round(value / Math.Pow(10, magnitude)) ^ ((long)magnitude << 32);
            }

            hash = (hash ^ (ulong)bucket) * 1099511628211UL;
            hash = (hash ^ (ulong)i) * 1099511628211UL;
        }

        return hash;
    }

    private static void Evict<T>(ConcurrentDictionary<string, T> map)
        where T : Tracked
    {
        if (map.Count < MaxTracked)
        {
            return;
        }

        // Forget the least recently seen tenth in one pass, so the cost is amortised over many requests.
        foreach (var stale in map.OrderBy(e => e.Value.LastSeen).Take(MaxTracked / 10).ToList())
        {
            map.TryRemove(stale.Key, out _);
        }
    }

    private abstract class Tracked
    {
        public DateTimeOffset LastSeen { get; set; }
    }

    private sealed class Budget : Tracked
    {
        public DateOnly Day { get; set; }
        public long Rows { get; set; }
        public bool Exhausted { get; set; }
    }

    /// <summary>The last <c>window</c> cells seen and how often each occurs among them.</summary>
    private sealed class Cluster(int window) : Tracked
    {
        private readonly Queue<ulong> _recent = new(window);
        private readonly Dictionary<ulong, int> _counts = [];

        public DateTimeOffset QuietUntil { get; set; }

        public int Add(ulong cell)
        {
            if (_recent.Count == window)
            {
                var old = _recent.Dequeue();
                if (--_counts[old] == 0)
                {
                    _counts.Remove(old);
                }
            }

            _recent.Enqueue(cell);
            return _counts[cell] = _counts.GetValueOrDefault(cell) + 1;
        }
    }
}
