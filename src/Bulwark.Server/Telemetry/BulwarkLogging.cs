using System.Globalization;
using System.Text.RegularExpressions;
using Bulwark.Core.Compliance;
using Bulwark.Core.Compliance.Redaction;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Bulwark.Server.Telemetry;

/// <summary>
/// The server's log pipeline: JSON lines on the console, with two layers of redaction. First, classified parameters
/// (<c>[PersonalData]</c>, <c>[SecretData]</c>, … on <c>[LoggerMessage]</c> methods) are replaced by their redactor before
/// any provider sees them (Microsoft.Extensions.Compliance.Redaction, switched on here with <c>EnableRedaction</c>).
/// Second, every finished line is scrubbed of card numbers and e-mail addresses whatever their source — an exception
/// message from a library, a request path in the hosting scope — by <see cref="ScrubbingJsonConsoleFormatter"/>.
/// </summary>
internal static class BulwarkLogging
{
    public static ILoggingBuilder AddBulwarkLogging(this ILoggingBuilder logging)
    {
        logging.ClearProviders().AddJsonConsole(o => o.UseUtcTimestamp = true);
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = ScrubbingJsonConsoleFormatter.FormatterName);
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, ScrubbingJsonConsoleFormatter>());

        // Without a discriminator the same value gets the same pseudonym in every field: an address that failed sign-in
        // ("Partition") and then tripped a detection ("Subject") can be followed across both lines.
        logging.EnableRedaction(o => o.ApplyDiscriminator = false);
        return logging;
    }
}

/// <summary>
/// Formats with the built-in JSON console formatter (its options, scopes and trace ids unchanged), then masks every card
/// number to its last four digits and every e-mail address to <c>[email]</c> before the line is written.
/// </summary>
internal sealed class ScrubbingJsonConsoleFormatter(IServiceProvider services) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "bulwark-json";

    /// <summary>The hosting scope's property that holds the request path (which may name a person: a login, a subject).</summary>
    private const string RequestPathKey = "RequestPath";

    // A buffer a thread keeps for its next line, dropped when one line made it large.
    private const int MaxKeptBufferChars = 64 * 1024;

    [ThreadStatic]
    private static StringWriter? t_buffer;

    private ConsoleFormatter? _json;
    private Redactor? _personal;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        // Resolved on first use: the built-in formatter is a sibling registration, complete only once the provider is.
        _json ??= services.GetServices<ConsoleFormatter>().First(f => f.Name == ConsoleFormatterNames.Json);
        _personal ??= services.GetRequiredService<IRedactorProvider>().GetRedactor(LogClassifications.Personal);
        scopeProvider = scopeProvider is null ? null : new PathRedactingScopes(scopeProvider, _personal);

        // Taken, not shared: a ToString() that logs while this line is formatted gets a buffer of its own.
        var buffer = t_buffer ?? new StringWriter(CultureInfo.InvariantCulture);
        t_buffer = null;
        buffer.GetStringBuilder().Clear();
        try
        {
            WriteScrubbed(logEntry, scopeProvider, textWriter, buffer);
        }
        finally
        {
            if (buffer.GetStringBuilder().Capacity <= MaxKeptBufferChars)
            {
                t_buffer = buffer;
            }
        }
    }

    private void WriteScrubbed<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter, StringWriter buffer)
    {
        var json = _json!;
        if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> properties)
        {
            // The JSON formatter prints the state's ToString() as State.Message; the redacting logger's state type
            // does not override it, so hand over the properties with the finished (already redacted) message instead.
            var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
            json.Write(new LogEntry<FormattedState>(logEntry.LogLevel, logEntry.Category, logEntry.EventId, new FormattedState(properties, message),
                logEntry.Exception, static (s, _) => s.Message), scopeProvider, buffer);
        }
        else
        {
            json.Write(logEntry, scopeProvider, buffer);
        }

        if (buffer.GetStringBuilder().Length == 0)
        {
            return;
        }

        string line;
        try
        {
            line = SensitiveText.RedactJson(buffer.ToString());
        }
        catch (RegexMatchTimeoutException)
        {
            // A line the scrubber cannot finish in time is withheld rather than written unscrubbed.
            buffer.GetStringBuilder().Clear();
            json.Write(new LogEntry<string>(logEntry.LogLevel, logEntry.Category, logEntry.EventId,
                "Log line withheld: redaction did not finish in time", null, static (s, _) => s), scopeProvider, buffer);
            line = buffer.ToString();
        }

        textWriter.Write(line);
    }

    /// <summary>
    /// The scopes as the JSON formatter sees them, with the hosting scope's request path replaced by its pseudonym (the
    /// trace, span, connection and request ids stay): a path such as <c>/api/v1/users/jane.roe</c> would otherwise ride
    /// along on every line written during the request.
    /// </summary>
    private sealed class PathRedactingScopes(IExternalScopeProvider inner, Redactor personal) : IExternalScopeProvider
    {
        public void ForEachScope<TState>(Action<object?, TState> callback, TState state) =>
            inner.ForEachScope((scope, s) => callback(Redact(scope), s), state);

        public IDisposable Push(object? state) => inner.Push(state);

        private object? Redact(object? scope)
        {
            if (scope is not IReadOnlyList<KeyValuePair<string, object?>> properties)
            {
                return scope;
            }

            var index = -1;
            for (var i = 0; i < properties.Count; i++)
            {
                if (properties[i].Key == RequestPathKey)
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                return scope;
            }

            var redacted = properties.ToArray();
            redacted[index] = new(RequestPathKey, personal.Redact(properties[index].Value?.ToString() ?? ""));
            return new FormattedState(redacted, string.Join(' ', redacted.Select(p => $"{p.Key}:{p.Value}")));
        }
    }

    private sealed class FormattedState(IReadOnlyList<KeyValuePair<string, object?>> properties, string message)
        : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message { get; } = message;

        public int Count => properties.Count;

        public KeyValuePair<string, object?> this[int index] => properties[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => properties.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;
    }
}
