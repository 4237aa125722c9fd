using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Serving;

/// <summary>Rows for the out-of-distribution tests, built from the bundled CSV and the served version's schema.</summary>
internal static class OodRows
{
    public const string Header = "Bulwark-Ood";

    /// <summary>
    /// The schema's validation bound for <paramref name="feature"/>: the dataset max plus its whole range. Validation
    /// accepts it; the guard allows only half the training range beyond the training max, so it is out of distribution.
    /// </summary>
    public static double ValidationMax(ModelVersionInfo version, string feature) => version.Features.Single(f => f.Name == feature).Max!.Value;

    /// <summary>The <paramref name="percent"/> percentile of a column of the bundled CSV.</summary>
    public static double Percentile(string column, int percent)
    {
        var lines = File.ReadLines(RepositoryPaths.BreastCancerCsv).Select(l => l.Split(',')).ToArray();
        var index = Array.IndexOf(lines[0], column);
        var values = lines.Skip(1).Select(c => double.Parse(c[index], CultureInfo.InvariantCulture)).Order().ToArray();
        return values[values.Length * percent / 100];
    }

    public static string Row(IReadOnlyDictionary<string, double> sample, params (string Feature, double Value)[] edits)
    {
        var row = new JsonObject();
        foreach (var (name, value) in sample)
        {
            row[name] = value;
        }

        foreach (var (feature, value) in edits)
        {
            row[feature] = value;
        }

        return row.ToJsonString();
    }

    public static StringContent V1(params string[] rows) => new("{\"instances\":[" + string.Join(',', rows) + "]}", Encoding.UTF8, "application/json");

    /// <summary>The same rows as an OIP v2 request: one FP64 input tensor per feature.</summary>
    public static StringContent OipV2(IReadOnlyList<string> rows)
    {
        var parsed = rows.Select(r => JsonNode.Parse(r)!.AsObject()).ToList();
        var inputs = parsed[0].Select(p => new JsonObject
        {
            ["name"] = p.Key,
            ["shape"] = new JsonArray(parsed.Count),
            ["datatype"] = "FP64",
            ["data"] = new JsonArray([.. parsed.Select(r => (JsonNode)r[p.Key]!.GetValue<double>())]),
        });
        return new StringContent(new JsonObject { ["inputs"] = new JsonArray([.. inputs]) }.ToJsonString(), Encoding.UTF8, "application/json");
    }

    public static async Task<List<AuditEvent>> EventsAsync(TestServer server, int code)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.Where(e => e.Code == code).OrderBy(e => e.Sequence).ToListAsync();
    }
}

/// <summary>The default action, flag: out-of-distribution rows are served, counted in a header and audited.</summary>
[Collection(TrainedModelsCollection.Name)]
public sealed class OutOfDistributionFlagTests(TrainedModelsFixture fixture)
{
    public static TheoryData<string> Models => [TrainedModelsFixture.MlNetModel, TrainedModelsFixture.OnnxModel];

    private string Outside(string model) => OodRows.Row(fixture.SampleRow, ("mean_area", OodRows.ValidationMax(fixture.Production[model], "mean_area")));

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_RowOutsideTrainingRange_ServedWithHeaderAndOneAuditEventNamingTheFeature(string model)
    {
        using var client = fixture.Server.CreateClient(fixture.PredictKeys[model]);
        var before = (await OodRows.EventsAsync(fixture.Server, AuditCodes.PredictionOutOfDistribution)).Count;

        var response = await client.PostAsync($"/v1/models/{model}:predict", OodRows.V1(OodRows.Row(fixture.SampleRow), Outside(model), Outside(model)));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("2", Assert.Single(response.Headers.GetValues(OodRows.Header)));
        Assert.Equal(3, (await response.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions.Count);
        var events = await OodRows.EventsAsync(fixture.Server, AuditCodes.PredictionOutOfDistribution);
        Assert.Equal(before + 1, events.Count);
        var flagged = events[^1];
        Assert.Equal(($"model/{model}/{fixture.Production[model].Version}", "flagged"), (flagged.Resource, flagged.Outcome));
        using var details = JsonDocument.Parse(flagged.Details);
        Assert.Equal(2, details.RootElement.GetProperty("flaggedRows").GetInt32());
        Assert.Equal(1, details.RootElement.GetProperty("firstRow").GetInt32());
        Assert.Equal("range", details.RootElement.GetProperty("reason").GetString());
        Assert.Equal(["mean_area"], details.RootElement.GetProperty("features").EnumerateArray().Select(f => f.GetString()));
        var value = OodRows.ValidationMax(fixture.Production[model], "mean_area");
        Assert.DoesNotContain(value.ToString(CultureInfo.InvariantCulture), flagged.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_OipV2_SameGuardSameHeader()
    {
        var model = TrainedModelsFixture.OnnxModel;
        using var client = fixture.Server.CreateClient(fixture.PredictKeys[model]);

        var response = await client.PostAsync($"/v2/models/{model}/infer", OodRows.OipV2([Outside(model), OodRows.Row(fixture.SampleRow)]));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("1", Assert.Single(response.Headers.GetValues(OodRows.Header)));
    }

    [Fact]
    public async Task Predict_LargeRadiusWithSmallAreaAndPerimeter_EachInRange_FlaggedAsJoint()
    {
        // The first CSV row is a large tumour (radius ≈ 18); giving it the area and perimeter of a small one leaves every
        // value ordinary and the combination impossible.
        var model = TrainedModelsFixture.MlNetModel;
        using var client = fixture.Server.CreateClient(fixture.PredictKeys[model]);
        var row = OodRows.Row(fixture.SampleRow, ("mean_area", OodRows.Percentile("mean_area", 10)), ("mean_perimeter", OodRows.Percentile("mean_perimeter", 10)));

        var response = await client.PostAsync($"/v1/models/{model}:predict", OodRows.V1(row));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("1", Assert.Single(response.Headers.GetValues(OodRows.Header)));
        using var details = JsonDocument.Parse((await OodRows.EventsAsync(fixture.Server, AuditCodes.PredictionOutOfDistribution))[^1].Details);
        Assert.Equal("joint", details.RootElement.GetProperty("reason").GetString());
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_InRangeRows_ServedUntouched_NoHeaderNoEvent(string model)
    {
        using var client = fixture.Server.CreateClient(fixture.PredictKeys[model]);
        var before = (await OodRows.EventsAsync(fixture.Server, AuditCodes.PredictionOutOfDistribution)).Count;

        var response = await client.PostAsync($"/v1/models/{model}:predict", OodRows.V1(OodRows.Row(fixture.SampleRow), OodRows.Row(fixture.SampleRow)));

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains(OodRows.Header));
        var prediction = Assert.IsType<PredictResponse>(await response.Content.ReadFromJsonAsync<PredictResponse>());
        Assert.All(prediction.Predictions, p => Assert.Equal("malignant", p.Label));
        Assert.Equal(before, (await OodRows.EventsAsync(fixture.Server, AuditCodes.PredictionOutOfDistribution)).Count);
    }

    [Fact]
    public async Task Predict_MalformedOrBeyondTheSchema_Still400_NotFlagged()
    {
        var model = TrainedModelsFixture.MlNetModel;
        using var client = fixture.Server.CreateClient(fixture.PredictKeys[model]);
        var beyond = OodRows.Row(fixture.SampleRow, ("mean_area", OodRows.ValidationMax(fixture.Production[model], "mean_area") * 2));

        var malformed = await client.PostAsync($"/v1/models/{model}:predict", new StringContent("{\"instances\":[{", Encoding.UTF8, "application/json"));
        var outOfSchema = await client.PostAsync($"/v1/models/{model}:predict", OodRows.V1(beyond));

        await ProblemAssert.IsProblemAsync(malformed, HttpStatusCode.BadRequest, ErrorCodes.MalformedJson);
        await ProblemAssert.IsProblemAsync(outOfSchema, HttpStatusCode.BadRequest, ErrorCodes.OutOfRange);
        Assert.False(malformed.Headers.Contains(OodRows.Header) || outOfSchema.Headers.Contains(OodRows.Header));
    }
}

/// <summary>A model configured to reject: out-of-distribution rows get 422 and never reach it.</summary>
public sealed class OutOfDistributionRejectTests
{
    [Fact]
    public async Task Predict_RejectConfigured_422NamingRowAndFeature_InRangeServed_Malformed400()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Bulwark:Serving:OodActions:guarded"] = "reject" });
        using var admin = server.CreateClient(server.AdminKey);
        await Incidents.Tabletop.TrainAndPromoteAsync(admin, "guarded", await Incidents.Tabletop.ImportDatasetAsync(admin));
        var version = (await admin.GetFromJsonAsync<ModelVersionInfo[]>("/api/v1/models/guarded/versions"))!.Single();
        using var client = server.CreateClient((await server.CreateKeyAsync(["predict:guarded"], name: "clinic")).Key);
        var sample = JsonSerializer.Deserialize<Dictionary<string, double>>(
            JsonNode.Parse(Incidents.Tabletop.Rows(1)[0])!["instances"]![0]!.ToJsonString())!;
        var outside = OodRows.ValidationMax(version, "mean_area");

        var refused = await client.PostAsync("/v1/models/guarded:predict", OodRows.V1(OodRows.Row(sample), OodRows.Row(sample, ("mean_area", outside))));
        var served = await client.PostAsync("/v1/models/guarded:predict", OodRows.V1(OodRows.Row(sample)));
        var malformed = await client.PostAsync("/v1/models/guarded:predict", OodRows.V1("{\"mean_area\":\"large\"}"));

        var problem = await ProblemAssert.IsProblemAsync(refused, (HttpStatusCode)422, ErrorCodes.OutOfDistribution);
        Assert.Equal(1, problem.GetProperty("row").GetInt32());
        Assert.Equal(["mean_area"], problem.GetProperty("features").EnumerateArray().Select(f => f.GetString()));
        Assert.DoesNotContain(outside.ToString(CultureInfo.InvariantCulture), problem.GetRawText(), StringComparison.Ordinal);
        Assert.False(refused.Headers.Contains(OodRows.Header));
        Assert.True(served.StatusCode == HttpStatusCode.OK, await served.Content.ReadAsStringAsync());
        Assert.False(served.Headers.Contains(OodRows.Header));
        await ProblemAssert.IsProblemAsync(malformed, HttpStatusCode.BadRequest);

        var rejections = await OodRows.EventsAsync(server, AuditCodes.PredictionRejected);
        var rejected = Assert.Single(rejections, e => e.Details.Contains(ErrorCodes.OutOfDistribution, StringComparison.Ordinal));
        Assert.Contains("mean_area", rejected.Details, StringComparison.Ordinal);
        Assert.Empty(await OodRows.EventsAsync(server, AuditCodes.PredictionOutOfDistribution));
        Assert.Single(await OodRows.EventsAsync(server, AuditCodes.PredictionServed));
    }
}
