using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Serving;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Privacy;

/// <summary>
/// A patients dataset built from the bundled breast-cancer data: a subject column (<c>patient_id</c>, where one patient
/// has three rows), a personal categorical feature (<c>zip</c>, declared pii) and the usual features and label.
/// </summary>
internal static class PrivacyScenario
{
    public const string Subject = "P-7f3a9c-erasure-target";
    public const string OtherSubject = "P-0005";
    public static readonly string[] Zips = ["Z10115", "Z20095", "Z80331", "Z50667", "Z60311"];

    public static string[] Header => ["patient_id", "zip", .. File.ReadLines(RepositoryPaths.BreastCancerCsv).First().Split(',')];

    /// <summary>Data rows as cell arrays (subject rows at 0, 10 and 20).</summary>
    public static List<string[]> Rows() =>
        [.. File.ReadLines(RepositoryPaths.BreastCancerCsv).Skip(1).Select((line, i) =>
            (string[])[i is 0 or 10 or 20 ? Subject : string.Create(CultureInfo.InvariantCulture, $"P-{i:0000}"), Zips[i % Zips.Length], .. line.Split(',')])];

    public static string Csv() => string.Join('\n', [string.Join(',', Header), .. Rows().Select(r => string.Join(',', r))]) + "\n";

    public static async Task<HttpResponseMessage> ImportAsync(HttpClient client, string name, string csv, string query = "&subject=patient_id&tags=zip:pii")
    {
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        content.Headers.ContentType = new("text/csv");
        return await client.PostAsync($"/api/v1/datasets?name={name}&classification=confidential&label=diagnosis{query}", content);
    }

    public static async Task<DatasetInfo> ImportOkAsync(HttpClient client, string name)
    {
        var response = await ImportAsync(client, name, Csv());
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DatasetInfo>())!;
    }

    public static async Task<int> TrainAndPromoteAsync(HttpClient admin, string model, Guid dataset)
    {
        var submitted = await admin.PostAsJsonAsync($"/api/v1/models/{model}/train", new TrainModelRequest(dataset, "diagnosis"));
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var job = await TrainedModelsFixture.WaitForJobAsync(admin, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        Assert.True(job.State == "succeeded", job.ErrorCode);
        await TrainedModelsFixture.PromoteAsync(admin, model, job.Version!.Value);
        return job.Version.Value;
    }

    /// <summary>A v1 body for data row <paramref name="row"/>: every feature (zip as a string), no label, no subject column.</summary>
    public static string Body(int row)
    {
        var header = File.ReadLines(RepositoryPaths.BreastCancerCsv).First().Split(',');
        var cells = File.ReadLines(RepositoryPaths.BreastCancerCsv).Skip(1 + row).First().Split(',');
        var features = header.Select((name, i) => (name, i)).Where(c => c.name != "diagnosis")
            .Select(c => $"\"{c.name}\":{double.Parse(cells[c.i], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)}");
        return "{\"instances\":[{\"zip\":\"" + Zips[row % Zips.Length] + "\"," + string.Join(',', features) + "}]}";
    }

    /// <summary>Predicts row <paramref name="row"/>, naming <paramref name="subject"/> when given; returns the prediction id.</summary>
    public static async Task<Guid> PredictAsync(HttpClient client, string model, int row, string? subject)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/models/{model}:predict") { Content = new StringContent(Body(row), Encoding.UTF8, "application/json") };
        if (subject is not null)
        {
            request.Headers.Add("Bulwark-Subject", subject);
        }

        var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return Guid.Parse(response.Headers.GetValues("X-Bulwark-Prediction-Id").Single());
    }

    /// <summary>Waits until the capture writer stored <paramref name="count"/> captures in all.</summary>
    public static async Task WaitForCapturesAsync(TestServer server, int count)
    {
        for (var attempt = 0; attempt < 400; attempt++)
        {
            await using var scope = server.App.Services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().CapturedPredictions.IgnoreQueryFilters().CountAsync() >= count)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("Captured predictions were not written.");
    }
}
