using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Bulwark.Server.Tests.Telemetry;

/// <summary>
/// Writes every log entry through the server's own "json" console formatter (with its configured options and the
/// logger factory's scopes, trace ids included) into memory: the exact lines the console would print, without
/// redirecting the process-wide console that other tests write to.
/// </summary>
internal sealed class JsonLogCapture(ConsoleFormatter formatter) : ILoggerProvider, ISupportExternalScope
{
    private readonly ConsoleFormatter _formatter = formatter;
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(JsonLogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => NullLogger.Instance.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            using var writer = new StringWriter();
            capture._formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter), capture._scopes, writer);
            capture._lines.Enqueue(writer.ToString());
        }
    }
}
