using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Server.Authentication;
using Bulwark.Server.Telemetry;
using Bulwark.Server.Tests.Datasets;
using Bulwark.Server.Tests.Identity;
using Bulwark.Server.Tests.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Bulwark.Server.Tests.Compliance;

/// <summary>
/// Redaction everywhere, proven with canaries: a server logging at Trace is driven through sign-in (right and wrong
/// passwords), user creation, API keys, dataset imports (cells, column names and file names), predictions, feedback,
/// audit search and export, incident notes and validation errors, each carrying a canary PAN, e-mail address, password,
/// API key secret or bearer token. Afterwards none of them may appear in any log line, audit row or export, or in the raw
/// bytes of the database, its write-ahead log, or any file of the data directory — in any spelling of the PAN, UTF-16 or base64.
/// </summary>
public sealed class CanaryTests : IAsyncLifetime
{
    private readonly string _pan = PanPolicyFixture.NewCanary();
    private readonly string _email = $"canary.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}@example.org";
    private readonly string _password = $"Qx{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}-lantern-orbit-vast";
    private JsonLogCapture? _logs;
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(configure: builder =>
    {
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton<ILoggerProvider>(sp =>
            _logs = new JsonLogCapture(sp.GetServices<ConsoleFormatter>().Single(f => f.Name == ScrubbingJsonConsoleFormatter.FormatterName)));
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task EveryFeature_WithCanaries_NoCanaryInLogsAuditDatabaseOrDataFiles()
    {
        var secrets = new List<(string Name, string Value)> { ("pan", _pan), ("email", _email), ("password", _password) };
        using var admin = _server.CreateClient(_server.AdminKey);

        // Users: the e-mail in the display name, the password as the password; a validation failure echoing the e-mail.
        var created = await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("wardnurse", "Nurse " + _email, _password, null,
            [new RoleGrant("default", "ml-engineer")]));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var invalid = await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("<" + _email + ">", "x", _password));
        Assert.True((int)invalid.StatusCode is >= 400 and < 500, invalid.StatusCode.ToString());

        // Sign-in: wrong passwords (the canary reversed and the canary for an unknown login), then the right one.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Users.LoginResponseAsync(_server, "wardnurse", _password + "x")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Users.LoginResponseAsync(_server, _email, _password)).StatusCode);
        var token = (await Users.LoginAsync(_server, "wardnurse", _password)).AccessToken;
        secrets.Add(("access token", token));
        using (var user = Users.Bearer(_server, token))
        {
            Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/v1/auth/me")).StatusCode);
        }

        // API keys: the secret is shown once; used right, used wrong (the secret with one character changed).
        var key = await _server.CreateKeyAsync(["datasets:read", "datasets:write", "predict", "feedback"], name: "canary key");
        secrets.Add(("api key", key.Key));
        secrets.Add(("api key secret", key.Key[(key.Key.LastIndexOf('_') + 1)..]));
        using (var keyClient = _server.CreateClient(key.Key))
        {
            Assert.Equal(HttpStatusCode.OK, (await keyClient.GetAsync("/api/v1/datasets")).StatusCode);
        }

        using (var wrongKey = _server.CreateClient(key.Key[..^1] + (key.Key[^1] == 'a' ? 'b' : 'a')))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.GetAsync("/api/v1/datasets")).StatusCode);
        }

        // Datasets: canaries in cells, a column name and the file name; rejected by default, tokenised where the project says so.
        var csv = $"customer,card,contact,amount,label\nc1,{_pan},{_email},1.5,yes\nc2,{PanPolicyFixture.Grouped(_pan, ' ')},x{_email},2.5,no\n"
            + string.Concat(Enumerable.Range(3, 10).Select(i => $"c{i},{PanPolicyFixture.NewCanary()},p{i}@example.com,{i}.5,{(i % 2 == 0 ? "yes" : "no")}\n"));
        var rejected = await ImportAsync(admin, "rejected", csv, "cards-" + _pan + ".csv");
        Assert.True((int)rejected.StatusCode is >= 400 and < 500, await rejected.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/projects", new CreateProjectRequest("tokens", PanPolicy: "tokenise"))).StatusCode);
        using (var tokens = _server.CreateClient(_server.AdminKey))
        {
            tokens.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, "tokens");
            var imported = await ImportAsync(tokens, "tokenised", csv.Replace("contact", _email.Replace("@", "_at_", StringComparison.Ordinal), StringComparison.Ordinal), _email + ".csv");
            Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
            Assert.DoesNotContain(_pan, await imported.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Predictions and feedback with canaries in the body: unknown model, malformed and oversized input.
        using (var keyClient = _server.CreateClient(key.Key))
        {
            await keyClient.PostAsync("/v1/models/fraud:predict", Json($"{{\"instances\":[{{\"card\":\"{_pan}\",\"email\":\"{_email}\"}}]}}"));
            await keyClient.PostAsync("/v1/models/fraud:predict", Json($"{{\"instances\":[{{\"{_email}\":{_pan}}}]"));
            await keyClient.PostAsync("/api/v1/models/fraud/feedback", Json($"{{\"predictionId\":\"{_pan}\",\"label\":\"{_email}\"}}"));
        }

        // Incidents: a note with the PAN (a security officer signed in with MFA).
        using (var officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "officer", [new RoleGrant("*", "security-officer")])))
        {
            var opened = await officer.PostAsJsonAsync("/api/v1/incidents", new OpenIncidentRequest("Card data exposure", "high", "other"));
            Assert.True(opened.StatusCode == HttpStatusCode.Created, await opened.Content.ReadAsStringAsync());
            var number = (await opened.Content.ReadFromJsonAsync<IncidentInfo>())!.Incident.Number;
            var noted = await officer.PatchAsJsonAsync($"/api/v1/incidents/{number}", new UpdateIncidentRequest(Note: $"customer read out card {_pan} on the phone"));
            Assert.True(noted.StatusCode == HttpStatusCode.OK, await noted.Content.ReadAsStringAsync());
        }

        // Audit search (with a canary as the filter) and export.
        await admin.GetAsync("/api/v1/audit/events?principal=" + Uri.EscapeDataString(_email));
        var export = await (await admin.GetAsync("/api/v1/audit/export")).Content.ReadAsStringAsync();

        await _server.App.StopAsync();
        SqliteConnection.ClearAllPools();
        Assert.NotEmpty(_logs!.Lines);
        var findings = await CanaryScan.FindAsync(_server, _logs.Lines, export, secrets);
        Assert.True(findings.Count == 0, string.Join('\n', findings));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<HttpResponseMessage> ImportAsync(HttpClient client, string name, string csv, string fileName)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(name), "name" },
            { new StringContent("confidential"), "classification" },
            { new StringContent("label"), "label" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", fileName);
        return await client.PostAsync("/api/v1/datasets", form);
    }
}
