using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Bulwark.Server.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Bulwark.Server.Tests.Telemetry;

public sealed class TraceLogTests
{
    [Fact]
    public async Task Request_WithTraceparent_LogLinesAndProblemCarryItsTraceId()
    {
        JsonLogCapture? capture = null;
        await using var server = await ConfiguredServer.StartAsync(builder =>
        {
            builder.Logging.AddFilter("Bulwark", LogLevel.Information);
            builder.Services.AddSingleton<ILoggerProvider>(sp =>
                capture = new JsonLogCapture(sp.GetServices<ConsoleFormatter>().Single(f => f.Name == ScrubbingJsonConsoleFormatter.FormatterName)));
        });
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        const string secret = "not-a-real-secret-but-secret-all-the-same";
        using var client = server.CreateClient("bwk_0123456789ab_" + secret);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/keys");
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var response = await client.SendAsync(request);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(traceId, problem.GetProperty("traceId").GetString(), StringComparison.Ordinal);
        var line = Assert.Single(capture!.Lines, l => l.Contains("API key authentication failed", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(line);
        var scopes = json.RootElement.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var id) && id.GetString() == traceId);
        Assert.Contains(scopes, s => s.TryGetProperty("SpanId", out var id) && id.GetString()?.Length == 16);
        Assert.DoesNotContain(secret, string.Concat(capture.Lines), StringComparison.Ordinal);
        var timestamp = DateTimeOffset.Parse(json.RootElement.GetProperty("Timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, timestamp.Offset);
    }
}
