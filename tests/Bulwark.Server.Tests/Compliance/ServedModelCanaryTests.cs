using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Server.Telemetry;
using Bulwark.Server.Tests.Datasets;
using Bulwark.Server.Tests.Identity;
using Bulwark.Server.Tests.Privacy;
using Bulwark.Server.Tests.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Bulwark.Server.Tests.Compliance;

/// <summary>
/// Redaction on the happy path of serving, proven with canaries: a model trained for real on data whose string feature
/// (<c>referrer</c>, declared pii) holds the canary e-mail serves predictions carrying it, some naming the canary e-mail or
/// PAN as the data subject (<c>Bulwark-Subject</c>); feedback joins them, captures are written, monitoring evaluates them.
/// Afterwards neither canary may appear in any log line (Trace), audit row or export, or in the raw bytes of the database,
/// its write-ahead log or any object of the data directory.
/// </summary>
public sealed class ServedModelCanaryTests : IAsyncLifetime
{
    private const string Model = "triage";
    private const string Feature = "referrer";
    private readonly string _pan = PanPolicyFixture.NewCanary();
    private readonly string _email = $"canary.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}@example.org";
    private JsonLogCapture? _logs;
    private TestServer _server = null!;

    // Few enough rows that the evaluation below judges drift (the referrer feature's chi-square included).
    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Bulwark:Monitoring:MinDriftRows"] = "20" }, configure: builder =>
    {
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton<ILoggerProvider>(sp =>
            _logs = new JsonLogCapture(sp.GetServices<ConsoleFormatter>().Single(f => f.Name == ScrubbingJsonConsoleFormatter.FormatterName)));
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <param name="declared">
    /// True: every referrer is an e-mail address and the column is declared pii. False: nothing is declared and the canary
    /// is one referrer among ward names, the column a detector may well take for plain categories.
    /// </param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ServedModel_CanariesInFeaturesAndSubjects_NoCanaryInLogsAuditDatabaseOrDataFiles(bool declared)
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        string[] referrers = declared ? [_email, "ward.north@example.com", "ward.south@example.com"] : [_email, .. Enumerable.Range(1, 9).Select(i => $"ward-{i}")];
        var imported = await PrivacyScenario.ImportAsync(admin, "referrals", Csv(referrers), declared ? $"&tags={Feature}:pii" : "");
        Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        var dataset = (await imported.Content.ReadFromJsonAsync<DatasetInfo>())!;
        await PrivacyScenario.TrainAndPromoteAsync(admin, Model, dataset.Id);
        // The registry shows the trained version; a tagged column's categories are people's values, as on the dataset.
        var versions = await (await admin.GetAsync($"/api/v1/models/{Model}/versions")).Content.ReadAsStringAsync();
        Assert.Contains($"\"{Feature}\"", versions, StringComparison.Ordinal);
        if (declared)
        {
            Assert.DoesNotContain(_email, versions, StringComparison.Ordinal);
            Assert.Contains($"\"name\":\"{Feature}\",\"kind\":\"categorical\",\"min\":null,\"max\":null,\"categories\":null,\"tag\":\"pii\"", versions, StringComparison.Ordinal);
        }

        using var app = _server.CreateClient((await _server.CreateKeyAsync([$"predict:{Model}", "feedback"], name: "triage-app")).Key);

        // Served predictions: the canary e-mail as the string feature, the canaries as the data subject.
        var truth = File.ReadLines(RepositoryPaths.BreastCancerCsv).Skip(1).Select(l => l[(l.LastIndexOf(',') + 1)..]).ToArray();
        var ids = new List<(Guid Id, int Row, int Rows)>();
        for (var row = 0; row < 30; row += 5)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/models/{Model}:predict") { Content = Json(Body(row, _email, rows: 5)) };
            request.Headers.Add("Bulwark-Subject", row % 2 == 0 ? _email : PanPolicyFixture.Grouped(_pan, ' '));
            var response = await app.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
            Assert.DoesNotContain(_email, text, StringComparison.Ordinal);
            ids.Add((Guid.Parse(response.Headers.GetValues("X-Bulwark-Prediction-Id").Single()), row, 5));
        }

        // The same through the Open Inference Protocol: the e-mail as a BYTES input, the PAN as the subject.
        using (var infer = new HttpRequestMessage(HttpMethod.Post, $"/v2/models/{Model}/infer") { Content = Json(OipBody(30, _email)) })
        {
            infer.Headers.Add("Bulwark-Subject", _pan);
            var inferred = await app.SendAsync(infer);
            var text = await inferred.Content.ReadAsStringAsync();
            Assert.True(inferred.StatusCode == HttpStatusCode.OK, text);
            Assert.DoesNotContain(_email, text, StringComparison.Ordinal);
            ids.Add((Guid.Parse(inferred.Headers.GetValues("X-Bulwark-Prediction-Id").Single()), 30, 1));
        }

        // The PAN where a string feature goes is no known category: refused, and not echoed.
        var refused = await app.PostAsync($"/v1/models/{Model}:predict", Json(Body(0, _pan)));
        var refusal = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.BadRequest, "serving.unknown-category");
        Assert.DoesNotContain(_pan, refusal.ToString(), StringComparison.Ordinal);

        // Feedback on every served prediction (once captured), then monitoring over the captures.
        await PrivacyScenario.WaitForCapturesAsync(_server, ids.Count);
        foreach (var (id, row, rows) in ids)
        {
            for (var r = 0; r < rows; r++)
            {
                var feedback = await app.PostAsJsonAsync($"/api/v1/models/{Model}/feedback", new FeedbackRequest(id, truth[row + r], r));
                Assert.True(feedback.StatusCode == HttpStatusCode.Accepted, await feedback.Content.ReadAsStringAsync());
            }
        }

        var evaluated = await admin.PostAsync($"/api/v1/models/{Model}/monitoring/evaluate", null);
        var evaluation = await evaluated.Content.ReadAsStringAsync();
        Assert.True(evaluated.IsSuccessStatusCode, evaluation);
        Assert.Contains($"\"{Feature}\"", evaluation, StringComparison.Ordinal);
        Assert.DoesNotContain(_email, evaluation, StringComparison.Ordinal);
        var reports = await admin.GetAsync($"/api/v1/models/{Model}/monitoring");
        Assert.Equal(HttpStatusCode.OK, reports.StatusCode);
        Assert.DoesNotContain(_email, await reports.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The capture store answers a subject access request for each canary subject (by header, never in a URL).
        using (var officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "dpo", [new RoleGrant("default", "security-officer")])))
        {
            var bySubject = new[]
            {
                (Subject: _email, Served: ids.Where(p => p.Row % 10 == 0 && p.Rows == 5).ToList()),
                (Subject: PanPolicyFixture.Grouped(_pan, ' '), Served: ids.Where(p => p.Row % 10 == 5).ToList()),
            };
            foreach (var (subject, served) in bySubject)
            {
                using var access = new HttpRequestMessage(HttpMethod.Get, "/api/v1/privacy/subjects/export");
                access.Headers.Add("Bulwark-Subject", subject);
                var response = await officer.SendAsync(access);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, text);
                Assert.All(served, p => Assert.Contains(p.Id.ToString(), text, StringComparison.Ordinal));
            }
        }

        var export = await (await admin.GetAsync("/api/v1/audit/export")).Content.ReadAsStringAsync();
        await _server.App.StopAsync();
        SqliteConnection.ClearAllPools();
        Assert.NotEmpty(_logs!.Lines);
        var findings = await CanaryScan.FindAsync(_server, _logs.Lines, export, [("pan", _pan), ("email", _email)]);
        Assert.True(findings.Count == 0, string.Join('\n', findings));

        // The scan is not blind: the same canaries in a log line are found.
        Assert.Equal(["pan found in log output", "email found in log output"],
            await CanaryScan.FindAsync(_server, [$"card {PanPolicyFixture.Grouped(_pan, '-')} of {_email}"], "", [("pan", _pan), ("email", _email)]));
    }

    /// <summary>The bundled data with a referrer column (each row one of <paramref name="referrers"/>) in front.</summary>
    private static string Csv(string[] referrers) =>
        string.Join('\n', File.ReadLines(RepositoryPaths.BreastCancerCsv).Select((line, i) => (i == 0 ? Feature : referrers[i % referrers.Length]) + "," + line)) + "\n";

    /// <summary>A v1 body for data rows <paramref name="row"/>… with <paramref name="referrer"/> as the string feature.</summary>
    private static string Body(int row, string referrer, int rows = 1)
    {
        var instances = Enumerable.Range(row, rows).Select(r => $"{{\"{Feature}\":\"{referrer}\"," + string.Join(',', Cells(r).Select(c => $"\"{c.Name}\":{c.Value}")) + "}");
        return "{\"instances\":[" + string.Join(',', instances) + "]}";
    }

    /// <summary>An Open Inference Protocol v2 body for data row <paramref name="row"/>: one input per feature, shape [1].</summary>
    private static string OipBody(int row, string referrer)
    {
        var inputs = Cells(row).Select(c => $"{{\"name\":\"{c.Name}\",\"shape\":[1],\"datatype\":\"FP64\",\"data\":[{c.Value}]}}")
            .Prepend($"{{\"name\":\"{Feature}\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"{referrer}\"]}}");
        return "{\"inputs\":[" + string.Join(',', inputs) + "]}";
    }

    /// <summary>The numeric features of data row <paramref name="row"/> (label excluded), invariant-formatted.</summary>
    private static IEnumerable<(string Name, string Value)> Cells(int row)
    {
        var header = File.ReadLines(RepositoryPaths.BreastCancerCsv).First().Split(',');
        var cells = File.ReadLines(RepositoryPaths.BreastCancerCsv).Skip(1 + row).First().Split(',');
        return header.Select((name, i) => (name, i)).Where(c => c.name != "diagnosis")
            .Select(c => (c.name, double.Parse(cells[c.i], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)))
            .ToList();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
