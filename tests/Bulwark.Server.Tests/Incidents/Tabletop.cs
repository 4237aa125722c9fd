using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Incidents;
using Bulwark.Server.Tests.Serving;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Incidents;

/// <summary>What the tabletop scenarios share: a trained model, responders, the detection worker and evidence checks.</summary>
internal static class Tabletop
{
    public static async Task<Guid> ImportDatasetAsync(HttpClient admin)
    {
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(RepositoryPaths.BreastCancerCsv));
        content.Headers.ContentType = new("text/csv");
        var imported = await admin.PostAsync("/api/v1/datasets?name=breast-cancer&classification=confidential&label=diagnosis", content);
        Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        return (await imported.Content.ReadFromJsonAsync<DatasetInfo>())!.Id;
    }

    /// <summary>Trains a version of <paramref name="model"/> for real and promotes it to production.</summary>
    public static async Task<int> TrainAndPromoteAsync(HttpClient admin, string model, Guid dataset, int seed = 42)
    {
        var submitted = await admin.PostAsJsonAsync($"/api/v1/models/{model}/train", new TrainModelRequest(dataset, "diagnosis", Seed: seed));
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var job = await TrainedModelsFixture.WaitForJobAsync(admin, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        Assert.Equal("succeeded", job.State);
        await TrainedModelsFixture.PromoteAsync(admin, model, job.Version!.Value);
        return job.Version.Value;
    }

    /// <summary>The bundled CSV's data rows as prediction bodies (distinct rows, label removed).</summary>
    public static IReadOnlyList<string> Rows(int count)
    {
        var lines = File.ReadLines(RepositoryPaths.BreastCancerCsv).Take(count + 1).Select(l => l.Split(',')).ToArray();
        var header = lines[0];
        return [.. lines.Skip(1).Select(cells => "{\"instances\":[{" + string.Join(',', header.Select((name, i) => (name, i))
            .Where(c => c.name != "diagnosis").Select(c => $"\"{c.name}\":{double.Parse(cells[c.i], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)}")) + "}]}")];
    }

    public static Task<HttpResponseMessage> PredictAsync(HttpClient client, string model, string body) =>
        client.PostAsync($"/v1/models/{model}:predict", new StringContent(body, Encoding.UTF8, "application/json"));

    public static Task<int> DetectAsync(TestServer server) => server.App.Services.GetRequiredService<DetectionWorker>().RunOnceAsync();

    public static async Task<IncidentSummary> IncidentAsync(HttpClient officer, string rule)
    {
        var incidents = (await officer.GetFromJsonAsync<IReadOnlyList<IncidentSummary>>("/api/v1/incidents"))!;
        return Assert.Single(incidents, i => i.Rule == rule);
    }

    public static async Task PostOkAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task TickAsync(HttpClient officer, int incident, string item, string evidence) =>
        await PostOkAsync(officer, $"/api/v1/incidents/{incident}/checklist", new IncidentChecklistRequest(item, evidence));

    public static async Task WalkToClosedAsync(HttpClient officer, int incident)
    {
        foreach (var state in new[] { "contained", "eradicated", "recovered", "closed" })
        {
            await PostOkAsync(officer, $"/api/v1/incidents/{incident}/transitions", new IncidentTransitionRequest(state, $"{state}: see timeline"));
        }
    }

    /// <summary>Exports the evidence bundle, verifies it offline with the published audit key, and checks a modified copy fails.</summary>
    public static async Task VerifyEvidenceAsync(HttpClient officer, int incident)
    {
        var response = await officer.PostAsync($"/api/v1/incidents/{incident}/evidence", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        var bundle = await response.Content.ReadAsByteArrayAsync();
        var keys = (await officer.GetFromJsonAsync<AuditKeyList>("/api/v1/audit/keys"))!;
        var trusted = Core.Audit.AuditExportVerifier.ReadTrustedKeys(string.Concat(keys.Keys.Select(k => k.PublicKeyPem)));

        var report = await Core.Incidents.Evidence.EvidenceBundleVerifier.VerifyAsync(new MemoryStream(bundle), trusted);
        Assert.True(report.Valid, report.Reason);
        Assert.Equal(incident, report.Incident);
        Assert.True(report.AuditEventsVerified > 0);

        // Someone edits the incident record inside the bundle.
        using var modified = new MemoryStream();
        modified.Write(bundle);
        using (var zip = new ZipArchive(modified, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.GetEntry("incident.json")!;
            string text;
            using (var reader = new StreamReader(entry.Open()))
            {
                text = await reader.ReadToEndAsync();
            }

            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("incident.json").Open());
            var severity = System.Text.RegularExpressions.Regex.Match(text, "\"severity\": \"[a-z]+\"").Value;
            Assert.NotEmpty(severity);
            await writer.WriteAsync(text.Replace(severity, "\"severity\": \"low\"", StringComparison.Ordinal) + " ");
        }

        modified.Position = 0;
        var tampered = await Core.Incidents.Evidence.EvidenceBundleVerifier.VerifyAsync(modified, trusted);
        Assert.False(tampered.Valid);
        Assert.Contains("incident.json", tampered.Reason, StringComparison.Ordinal);
    }
}
