using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Server.Authentication;
using Bulwark.Server.Telemetry;
using Bulwark.Server.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Bulwark.Server.Tests.Datasets;

/// <summary>
/// One server whose every log entry, at every level, is captured as the JSON console would print it; three projects,
/// one per PAN policy; and a record of every response body the tests received.
/// </summary>
public sealed class PanPolicyFixture : IAsyncLifetime
{
    public const string Reject = "cards-reject";
    public const string Truncate = "cards-truncate";
    public const string Tokenise = "cards-tokenise";

    private readonly List<string> _responses = [];
    private JsonLogCapture? _logs;

    internal TestServer Server { get; private set; } = null!;

    public IReadOnlyList<string> LogLines => _logs!.Lines;

    public IReadOnlyList<string> Responses
    {
        get
        {
            lock (_responses)
            {
                return [.. _responses];
            }
        }
    }

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync(configure: builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Services.AddSingleton<ILoggerProvider>(sp =>
                _logs = new JsonLogCapture(sp.GetServices<ConsoleFormatter>().Single(f => f.Name == ScrubbingJsonConsoleFormatter.FormatterName)));
        });
        using var admin = Server.CreateClient(Server.AdminKey);
        foreach (var (project, policy) in new[] { (Reject, (string?)null), (Truncate, "truncate"), (Tokenise, "tokenise") })
        {
            var created = await admin.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest(project, PanPolicy: policy));
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            Assert.Equal(policy ?? "reject", (await created.Content.ReadFromJsonAsync<ProjectInfo>())!.PanPolicy);
        }
    }

    /// <summary>The instance administrator acting in <paramref name="project"/>.</summary>
    internal HttpClient AdminIn(string project)
    {
        var client = Server.CreateClient(Server.AdminKey);
        client.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, project);
        return client;
    }

    /// <summary>Sends, and keeps the response body for the "appears in no response" checks.</summary>
    internal async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpClient client, Func<HttpClient, Task<HttpResponseMessage>> send)
    {
        var response = await send(client);
        var body = await response.Content.ReadAsStringAsync();
        lock (_responses)
        {
            _responses.Add(body);
        }

        return (response, body);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A fresh Visa-range number with a valid Luhn digit: a canary that can only come from the test's upload.</summary>
    public static string NewCanary()
    {
        var body = "4" + string.Concat(Enumerable.Range(0, 14).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var d = body[body.Length - 1 - i] - '0';
            sum += i % 2 == 0 ? (d * 2 > 9 ? (d * 2) - 9 : d * 2) : d;
        }

        return body + (char)('0' + ((10 - (sum % 10)) % 10));
    }

    /// <summary>The canary as it may be written (plain, grouped by spaces or dashes) and as it would look in UTF-16 or base64.</summary>
    public static List<byte[]> Needles(string canary)
    {
        var forms = new[] { canary, Grouped(canary, ' '), Grouped(canary, '-') };
        var needles = new List<byte[]>();
        foreach (var form in forms)
        {
            var plain = Encoding.UTF8.GetBytes(form);
            needles.Add(plain);
            needles.Add(Encoding.Unicode.GetBytes(form));
            for (var shift = 0; shift < 3; shift++)
            {
                var b64 = Convert.ToBase64String([.. new byte[shift], .. plain]);
                needles.Add(Encoding.ASCII.GetBytes(b64[(shift == 0 ? 0 : 4)..^4]));
            }
        }

        return needles;
    }

    public static string Grouped(string canary, char separator) => string.Join(separator, canary.Chunk(4).Select(c => new string(c)));

    /// <summary>Twelve rows: a card column (the canary twice, written two ways), e-mail addresses, and the canary once more in free text.</summary>
    public static string Csv(string canary)
    {
        var csv = new StringBuilder("customer,card,email,amount,notes,label\n");
        for (var i = 0; i < 12; i++)
        {
            var card = i switch
            {
                0 => canary,
                5 => Grouped(canary, ' '),
                _ => NewCanary(),
            };
            var notes = i == 2 ? $"\"refund to {Grouped(canary, '-')}, done\"" : "ok";
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"c{i},{card},person{i}@example.com,{i + 0.25},{notes},{(i % 2 == 0 ? "yes" : "no")}\n");
        }

        return csv.ToString();
    }
}
