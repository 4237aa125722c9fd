using System.Threading.Channels;
using Bulwark.Core.Incidents.Alerts;
using Microsoft.Extensions.Logging;
using static Bulwark.Core.Tests.Incidents.Alerts.AlertTestKit;

namespace Bulwark.Core.Tests.Incidents.Alerts;

public sealed class AlertDispatcherTests : IAsyncDisposable
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly Channel<AlertDeliveryOutcome> _outcomes = Channel.CreateUnbounded<AlertDeliveryOutcome>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IDisposable> _senders = [];
    private Task _running = Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
        _senders.ForEach(s => s.Dispose());
    }

    private AlertDispatcher Dispatcher(AlertOptions options)
    {
        options.RetryDelay = TimeSpan.Zero; // retries without waiting; the backoff itself is tested on its own below
        var sender = Sender(options);
        _senders.Add(sender);
        var dispatcher = new AlertDispatcher(Microsoft.Extensions.Options.Options.Create(options), sender, Clock(), _logs.CreateLogger<AlertDispatcher>());
        dispatcher.DeliveryCompleted += (_, outcome) => _outcomes.Writer.TryWrite(outcome);
        return dispatcher;
    }

    private void Run(AlertDispatcher dispatcher) => _running = dispatcher.RunAsync(_stop.Token);

    private async Task<AlertDeliveryOutcome> NextOutcomeAsync() =>
        await _outcomes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task EnqueueAsync_EveryAlert_WritesOneSecurityAlertLine()
    {
        var dispatcher = Dispatcher(new AlertOptions());

        await dispatcher.EnqueueAsync(Alert("a1"));
        await dispatcher.EnqueueAsync(Alert("a2") with { IncidentId = null });
        await dispatcher.EnqueueAsync(Alert("a3") with { Severity = "low" });

        var lines = _logs.Named("SecurityAlert").ToList();
        Assert.Equal(["a1", "a2", "a3"], lines.Select(l => l.Field("AlertId")));
        Assert.All(lines, l => Assert.Equal(6150, l.EventId.Id));
        Assert.All(lines, l => Assert.Equal("registry.signature-invalid", l.Field("Rule")));
        Assert.Equal(["critical", "critical", "low"], lines.Select(l => l.Field("Severity")));
        Assert.Equal(["inc-42", "-", "inc-42"], lines.Select(l => l.Field("Incident")));
        // The title may name a person (a login, an address): it is classified personal data, so it is not a plain
        // property of the line; a redacting pipeline (the server's) writes its pseudonym instead.
        Assert.All(lines, l => Assert.False(l.Fields.ContainsKey("Title"), string.Join(",", l.Fields.Keys) + " / " + l.Message));
    }

    [Fact]
    public async Task EnqueueAsync_TitleWithForgedLogLine_LoggedOnOneLine()
    {
        var dispatcher = Dispatcher(new AlertOptions());

        await dispatcher.EnqueueAsync(Alert(title: "x\r\n2026-11-01 info: all clear\u2028\u202e"));

        var line = Assert.Single(_logs.Named("SecurityAlert"));
        Assert.DoesNotContain(line.Message, c => c is '\r' or '\n' or '\u2028' or '\u202e');
        Assert.DoesNotContain("\n2026-11-01", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ReceiverAccepts_DeliveredAndLoggedWithoutUrlOrSecret()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var dispatcher = Dispatcher(ReceiverOptions(listener));
        Run(dispatcher);

        await dispatcher.EnqueueAsync(Alert());
        var outcome = await NextOutcomeAsync();

        Assert.True(outcome.Delivered);
        Assert.Equal(1, outcome.Attempts);
        Assert.Equal("siem", outcome.Webhook);
        var delivered = Assert.Single(_logs.Named("AlertDelivered"));
        Assert.Equal("siem", delivered.Field("Webhook"));
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task RunAsync_ReceiverKeepsFailing_RetriedThenReportedFailed()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Status(503));
        var options = ReceiverOptions(listener);
        options.MaxRetries = 2;
        var dispatcher = Dispatcher(options);
        Run(dispatcher);

        await dispatcher.EnqueueAsync(Alert());
        var outcome = await NextOutcomeAsync();

        Assert.False(outcome.Delivered);
        Assert.Equal(3, outcome.Attempts);
        Assert.Equal(WebhookDeliveryStatus.HttpError, outcome.Result.Status);
        Assert.Equal(503, outcome.Result.StatusCode);
        Assert.Equal(3, listener.Requests.Count);
        Assert.Equal(2, _logs.Named("AlertDeliveryRetrying").Count());
        var failed = Assert.Single(_logs.Named("AlertDeliveryFailed"));
        Assert.Equal(LogLevel.Error, failed.Level);
        Assert.Equal("3", failed.Field("Attempts"));
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task RunAsync_ReceiverRecovers_DeliveredOnRetry()
    {
        await using var listener = TlsTestListener.Start(n => n == 1 ? ListenerReply.Status(500) : ListenerReply.Ok);
        var dispatcher = Dispatcher(ReceiverOptions(listener));
        Run(dispatcher);

        await dispatcher.EnqueueAsync(Alert());
        var outcome = await NextOutcomeAsync();

        Assert.True(outcome.Delivered);
        Assert.Equal(2, outcome.Attempts);
        // The retry is the same message: receivers deduplicate on webhook-id.
        Assert.Equal(["alert-1", "alert-1"], listener.Requests.Select(r => r.Header("webhook-id")));
    }

    [Fact]
    public async Task RunAsync_ReceiverRedirects_FailsWithoutRetry()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Redirect(302, "https://127.0.0.1:1/elsewhere"));
        var dispatcher = Dispatcher(ReceiverOptions(listener));
        Run(dispatcher);

        await dispatcher.EnqueueAsync(Alert());
        var outcome = await NextOutcomeAsync();

        Assert.Equal(WebhookDeliveryStatus.Redirected, outcome.Result.Status);
        Assert.Equal(1, outcome.Attempts);
        Assert.Single(listener.Requests);
    }

    [Fact]
    public async Task RunAsync_ForbiddenAddress_ReportedFailedAndLogged()
    {
        var options = Options(Url("169.254.169.254", 443));
        var dispatcher = Dispatcher(options);
        Run(dispatcher);

        await dispatcher.EnqueueAsync(Alert());
        var outcome = await NextOutcomeAsync();

        Assert.Equal(WebhookDeliveryStatus.AddressRefused, outcome.Result.Status);
        Assert.Equal(1, outcome.Attempts);
        Assert.Contains("169.254.169.254", Assert.Single(_logs.Named("AlertDeliveryFailed")).Message, StringComparison.Ordinal);
        AssertNoSecretLogged();
    }

    [Fact]
    public async Task EnqueueAsync_QueueFull_DropsOldestCountsAndStillLogsIt()
    {
        await using var listener = TlsTestListener.Start(ListenerReply.Ok);
        var options = ReceiverOptions(listener);
        options.QueueCapacity = 2;
        var dispatcher = Dispatcher(options);

        // Not running yet, so the queue fills up.
        await dispatcher.EnqueueAsync(Alert("first"));
        await dispatcher.EnqueueAsync(Alert("second"));
        await dispatcher.EnqueueAsync(Alert("third"));
        await dispatcher.EnqueueAsync(Alert("fourth"));

        Assert.Equal(2, dispatcher.DroppedCount);
        Assert.Equal(["first", "second"], _logs.Named("AlertDropped").Select(l => l.Field("AlertId")));
        Assert.Equal("2", _logs.Named("AlertDropped").Last().Field("Dropped"));
        Assert.Equal(4, _logs.Named("SecurityAlert").Count()); // the log line is never dropped

        Run(dispatcher);
        var delivered = new[] { await NextOutcomeAsync(), await NextOutcomeAsync() };

        Assert.Equal(["third", "fourth"], delivered.Select(o => o.Alert.Id));
        Assert.Equal(["third", "fourth"], listener.Requests.Select(r => r.Header("webhook-id")));
    }

    [Theory]
    [InlineData(1, 500, 1000)]
    [InlineData(2, 1000, 2000)]
    [InlineData(3, 2000, 4000)]
    [InlineData(30, 150_000, 300_000)]
    public void RetryDelay_Attempt_DoublesWithJitterAndCap(int retry, int minMs, int maxMs)
    {
        for (var i = 0; i < 50; i++)
        {
            var delay = AlertDispatcher.RetryDelay(TimeSpan.FromSeconds(1), retry);
            Assert.InRange(delay, TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs));
        }
    }

    private void AssertNoSecretLogged()
    {
        var text = _logs.AllText;
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret["whsec_".Length..], text, StringComparison.Ordinal);
        Assert.DoesNotContain(PathToken, text, StringComparison.Ordinal);
        Assert.DoesNotContain("/hooks/", text, StringComparison.Ordinal);
    }
}
