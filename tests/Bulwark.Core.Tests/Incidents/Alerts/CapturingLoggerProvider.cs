using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Bulwark.Core.Tests.Incidents.Alerts;

/// <summary>Keeps every log entry, rendered message and structured fields, so tests can assert on what was logged.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IEnumerable<LogEntry> Named(string eventName) => Entries.Where(e => e.EventId.Name == eventName);

    /// <summary>Every message, field value and exception text, for "no secret anywhere" assertions.</summary>
    public string AllText => string.Join('\n', Entries.Select(e =>
        e.Message + "\n" + string.Join('\n', e.Fields.Select(f => f.Key + "=" + f.Value)) + "\n" + e.Exception));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public ILogger<T> CreateLogger<T>() => new Logger<T>(new Factory(this));

    public void Dispose()
    {
    }

    internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Fields, Exception? Exception)
    {
        public string Field(string name) => Convert.ToString(Fields[name], System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            provider._entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), fields, exception));
        }
    }

    private sealed class Factory(CapturingLoggerProvider provider) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => provider.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
