using System.Net;
using Bulwark.Core.Compliance.Redaction;
using Bulwark.Server.Authentication;
using Bulwark.Server.Telemetry;
using Bulwark.Server.Tests.Datasets;
using Bulwark.Server.Tests.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Bulwark.Server.Tests.Compliance;

/// <summary>
/// The log pipeline redacts before anything is written: classified parameters through their redactor
/// (Microsoft.Extensions.Compliance.Redaction), and every finished line through the card-number and e-mail scrubber.
/// Each test reads the exact JSON lines the console would print.
/// </summary>
public sealed class LogRedactionTests
{
    private const string BadKey = "bwk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    private static async Task<(TestServer Server, Func<JsonLogCapture> Logs)> StartAsync(IDictionary<string, string?>? settings = null)
    {
        JsonLogCapture? capture = null;
        var server = await TestServer.StartAsync(settings, builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Services.AddSingleton<ILoggerProvider>(sp =>
                capture = new JsonLogCapture(sp.GetServices<ConsoleFormatter>().Single(f => f.Name == ScrubbingJsonConsoleFormatter.FormatterName)));
        });
        return (server, () => capture!);
    }

    [Fact]
    public async Task ThrottledNetwork_IsLoggedAsAKeyedPseudonym_NeverAsTheAddress()
    {
        var (server, logs) = await StartAsync(new Dictionary<string, string?> { ["Bulwark:RateLimits:AuthFailuresPerMinute"] = "2" });
        await using var _ = server;
        using var client = server.CreateClient(BadKey);
        HttpStatusCode status;
        var attempts = 0;
        do
        {
            status = (await client.GetAsync("/api/v1/keys")).StatusCode;
        }
        while (status != HttpStatusCode.TooManyRequests && ++attempts < 10);
        Assert.Equal(HttpStatusCode.TooManyRequests, status);

        var line = Assert.Single(logs().Lines, l => l.Contains("\"EventId\":11,", StringComparison.Ordinal));
        var partition = System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("State").GetProperty("Partition").GetString()!;
        var personal = server.App.Services.GetRequiredService<IRedactorProvider>().GetRedactor(LogClassifications.Personal);
        var expected = new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }.Select(a => personal.Redact(Server.Hosting.RateLimiting.AnonymousPartition(a))).ToList();
        Assert.Contains(partition, expected);
        Assert.Matches("^p:[0-9a-f]{16}$", partition);
        Assert.Contains($"from {partition} are over the limit", line, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", line, StringComparison.Ordinal);
        Assert.DoesNotContain("::1", line, StringComparison.Ordinal);

        // State carries the properties, not the name of the redacting logger's state type.
        Assert.DoesNotContain("TagJoiner", line, StringComparison.Ordinal);

        // The pseudonym is keyed by this instance's ring: another instance (another ring) gives another one, so a
        // pseudonym cannot be matched against a table of hashed addresses.
        await using var other = await TestServer.StartAsync();
        var elsewhere = other.App.Services.GetRequiredService<IRedactorProvider>().GetRedactor(LogClassifications.Personal);
        Assert.NotEqual(personal.Redact("ip:127.0.0.1"), elsewhere.Redact("ip:127.0.0.1"));
    }

    [Fact]
    public async Task EveryClassHasItsRedactor_AndAnUnknownClassFailsClosed()
    {
        await using var server = await TestServer.StartAsync();
        var redactors = server.App.Services.GetRequiredService<IRedactorProvider>();
        const string value = "hunter2-but-longer@example.org";

        Assert.Equal("[secret]", redactors.GetRedactor(LogClassifications.Secret).Redact(value));
        Assert.Equal("[pan]", redactors.GetRedactor(LogClassifications.Card).Redact("4111111111111111"));
        Assert.Equal("[redacted]", redactors.GetRedactor(new DataClassification("Elsewhere", "unlisted")).Redact(value));
        var personal = redactors.GetRedactor(LogClassifications.Personal).Redact(value);
        var health = redactors.GetRedactor(LogClassifications.Health).Redact(value);
        Assert.Matches("^p:[0-9a-f]{16}$", personal);
        Assert.Equal(personal, health);
        Assert.NotEqual(personal, redactors.GetRedactor(LogClassifications.Personal).Redact(value + "x"));

        // Lengths never leak: a one-character and a thousand-character secret look the same.
        Assert.Equal(redactors.GetRedactor(LogClassifications.Secret).Redact("x"), redactors.GetRedactor(LogClassifications.Secret).Redact(new string('x', 1000)));
        Assert.Equal(18, redactors.GetRedactor(LogClassifications.Personal).Redact(new string('é', 5000)).Length);
    }

    [Fact]
    public async Task UnclassifiedText_CardNumbersAndEmailAddresses_AreScrubbedFromTheFinishedLine()
    {
        var (server, logs) = await StartAsync();
        await using var _ = server;
        var pan = PanPolicyFixture.NewCanary();
        var grouped = PanPolicyFixture.Grouped(pan, ' ');
        const string email = "leaky.person@example.org";

        // What a library might do: put a caller's value in an exception message, or a value in a plain template.
        var logger = server.App.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bulwark.Tests.Leaky");
        logger.LogError(new InvalidOperationException($"could not parse '{pan}' (contact {email})"), "Import of {File} failed at {Cell}", email + ".csv", grouped);

        // Spellings that JSON escapes hide from a scan of the raw line: a no-break space inside the card number, and
        // a non-ASCII e-mail domain (written "m\u00FCller").
        var nbsp = PanPolicyFixture.Grouped(pan, '\u00A0');
        const string umlaut = "bob@m\u00fcller.de";
        logger.LogWarning("Row {Row} of {Sender}", nbsp, umlaut);
        var escaped = Assert.Single(logs().Lines, l => l.Contains("\"Row\":", StringComparison.Ordinal));
        Assert.DoesNotMatch(pan[..4] + @"(\\u00[aA]0|\u00A0)" + pan[4..8], escaped);
        Assert.DoesNotContain("ller.de", escaped, StringComparison.Ordinal);
        Assert.Contains(pan[^4..], escaped, StringComparison.Ordinal);

        var line = Assert.Single(logs().Lines, l => l.Contains("Import of", StringComparison.Ordinal));
        Assert.DoesNotContain(pan, line, StringComparison.Ordinal);
        Assert.DoesNotContain(grouped, line, StringComparison.Ordinal);
        Assert.DoesNotContain(email, line, StringComparison.Ordinal);
        Assert.Contains(pan[^4..], line, StringComparison.Ordinal);
        Assert.Contains("[email]", line, StringComparison.Ordinal);
        Assert.Contains("could not parse", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnhandledException_LogsTheRouteTemplate_AndOnlyAPseudonymOfThePath()
    {
        var dataDir = TestServer.NewDataDir();
        var init = await TestServer.InitAsync(dataDir, TimeProvider.System);
        JsonLogCapture? logs = null;
        var app = TestServer.Build(dataDir, TimeProvider.System, configure: builder =>
            builder.Services.AddSingleton<ILoggerProvider>(sp =>
                logs = new JsonLogCapture(sp.GetServices<ConsoleFormatter>().Single(f => f.Name == ScrubbingJsonConsoleFormatter.FormatterName))));
        app.MapGet("/api/v1/people/{login}/boom", string (string login) => throw new InvalidOperationException("broken")).RequirePermission(Core.Identity.Permissions.Admin);
        await app.StartAsync();
        try
        {
            using var client = TestServer.CreateClient(BulwarkServer.BoundUrl(app), init.CertFingerprint, init.AdminKey);
            Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync("/api/v1/people/jane.roe.1984/boom")).StatusCode);

            var line = Assert.Single(logs!.Lines, l => l.Contains("ExceptionToProblemHandler", StringComparison.Ordinal) && l.Contains("\"EventId\":1,", StringComparison.Ordinal));
            Assert.Contains("\"Route\":\"/api/v1/people/{login}/boom\"", line, StringComparison.Ordinal);
            Assert.Matches("\"Path\":\"p:[0-9a-f]{16}\"", line);

            // Pseudonymised in the message, the state and the hosting scope's RequestPath: nowhere in clear.
            Assert.DoesNotContain("jane.roe.1984", line, StringComparison.Ordinal);
            Assert.Matches("\"RequestPath\":\"p:[0-9a-f]{16}\"", line);
            Assert.Contains("\"TraceId\":", line, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
