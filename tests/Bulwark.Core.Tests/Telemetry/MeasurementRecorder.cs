using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Bulwark.Core.Tests.Telemetry;

/// <summary>Records what the instruments of one <see cref="Meter"/> (this test's, not another test's) measure.</summary>
internal sealed class MeasurementRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Recorded> _recorded = new();

    public MeasurementRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public sealed record Recorded(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    public IReadOnlyList<Recorded> Of(string instrument)
    {
        _listener.RecordObservableInstruments();
        return [.. _recorded.Where(r => r.Instrument == instrument)];
    }

    /// <summary>Clears what the observable instruments reported, then asks them again.</summary>
    public IReadOnlyList<Recorded> Observe(string instrument)
    {
        var before = _recorded.Count(r => r.Instrument == instrument);
        return [.. Of(instrument).Skip(before)];
    }

    private void Add<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _recorded.Enqueue(new Recorded(instrument.Name, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), copy));
    }

    public void Dispose() => _listener.Dispose();
}
