using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Client.Contracts;

namespace Bulwark.Server.Tests.Serving;

[Collection(TrainedModelsCollection.Name)]
public sealed class PredictionTests(TrainedModelsFixture fixture)
{
    public static TheoryData<string> Models => [TrainedModelsFixture.MlNetModel, TrainedModelsFixture.OnnxModel];

    private HttpClient Client(string model) => fixture.Server.CreateClient(fixture.PredictKeys[model]);

    private string Row(Action<JsonObject>? edit = null)
    {
        var row = new JsonObject();
        foreach (var (name, value) in fixture.SampleRow)
        {
            row[name] = value;
        }

        edit?.Invoke(row);
        return row.ToJsonString();
    }

    private string Body(string row) => $$"""{"instances":[{{row}}]}""";

    private async Task<HttpResponseMessage> PredictAsync(string model, string body, string contentType = "application/json")
    {
        using var client = Client(model);
        return await client.PostAsync($"/v1/models/{model}:predict", new StringContent(body, Encoding.UTF8, contentType));
    }

    private async Task AssertGoodPredictionAsync(string model)
    {
        var response = await PredictAsync(model, Body(Row()));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var prediction = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
        var production = fixture.Production[model];
        Assert.Equal(model, prediction.Model);
        Assert.Equal(production.Version, prediction.Version);
        Assert.Equal(production.ManifestDigest, prediction.ManifestDigest);
        Assert.Equal(production.Version.ToString(CultureInfo.InvariantCulture), Assert.Single(response.Headers.GetValues("X-Bulwark-Model-Version")));
        Assert.Equal(production.ManifestDigest, Assert.Single(response.Headers.GetValues("X-Bulwark-Manifest-Digest")));
        var one = Assert.Single(prediction.Predictions);
        Assert.Contains(one.Label, new[] { "malignant", "benign" });
        Assert.InRange(one.Score!.Value, 0, 1);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_ScopedKey_Returns200NamingVersionAndDigest(string model) => await AssertGoodPredictionAsync(model);

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_FirstRowOfTrainingData_IsMalignant(string model)
    {
        // The first row of the bundled data is a textbook malignant case; a model that gets it wrong is not serving what was trained.
        var response = await PredictAsync(model, Body(Row()));
        var prediction = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
        Assert.Equal("malignant", prediction.Predictions[0].Label);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_KeyForTheOtherModel_Is403(string model)
    {
        var other = model == TrainedModelsFixture.MlNetModel ? TrainedModelsFixture.OnnxModel : TrainedModelsFixture.MlNetModel;
        using var client = fixture.Server.CreateClient(fixture.PredictKeys[other]);
        var response = await client.PostAsync($"/v1/models/{model}:predict", new StringContent(Body(Row()), Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
    }

    public static TheoryData<string, string> MalformedBodies()
    {
        var data = new TheoryData<string, string>();
        foreach (var model in new[] { TrainedModelsFixture.MlNetModel, TrainedModelsFixture.OnnxModel })
        {
            foreach (var name in new[] { "1e309", "-1e309", "NaN-string", "null-value", "empty-object", "empty-body", "duplicate", "unknown", "missing", "wrong-type", "bool", "deep", "not-json", "instances-null", "no-instances" })
            {
                data.Add(model, name);
            }
        }

        return data;
    }

    private string Malformed(string name) => name switch
    {
        "1e309" => Body(Row().Replace("\"mean_radius\":17.99", "\"mean_radius\":1e309", StringComparison.Ordinal)),
        "-1e309" => Body(Row().Replace("\"mean_radius\":17.99", "\"mean_radius\":-1e309", StringComparison.Ordinal)),
        "NaN-string" => Body(Row(r => r["mean_radius"] = "NaN")),
        "null-value" => Body(Row(r => r["mean_radius"] = null)),
        "empty-object" => "{}",
        "empty-body" => "",
        "duplicate" => Body(Row().Replace("{", "{\"mean_radius\":1,", StringComparison.Ordinal)),
        "unknown" => Body(Row(r => r["bogus"] = 1)),
        "missing" => Body(Row(r => r.Remove("mean_radius"))),
        "wrong-type" => Body(Row(r => r["mean_radius"] = "seventeen")),
        "bool" => Body(Row(r => r["mean_radius"] = true)),
        "deep" => "{\"instances\":[{\"mean_radius\":" + new string('[', 100) + new string(']', 100) + "}]}",
        "not-json" => "instances=1",
        "instances-null" => """{"instances":null}""",
        "no-instances" => """{"rows":[]}""",
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Predict_MalformedInput_Is4xxProblemAndServerKeepsServing(string model, string name)
    {
        var body = Malformed(name);
        if (name is "1e309" or "-1e309")
        {
            Assert.Contains("e309", body, StringComparison.Ordinal);
        }

        var response = await PredictAsync(model, body);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status is >= 400 and < 500, $"{name}: {status} {text}");
        await ProblemAssert.IsProblemAsync(response, response.StatusCode);
        await AssertGoodPredictionAsync(model);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_100DeepNestedObject_Is400(string model)
    {
        var deep = new StringBuilder("{\"instances\":[");
        for (var i = 0; i < 100; i++)
        {
            deep.Append("{\"a\":");
        }

        deep.Append('1').Append('}', 100).Append("]}");
        var response = await PredictAsync(model, deep.ToString());
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        await AssertGoodPredictionAsync(model);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_10000RowBatch_Is4xx(string model)
    {
        var row = Row();
        var body = "{\"instances\":[" + string.Join(',', Enumerable.Repeat(row, 10_000)) + "]}";
        using var client = Client(model);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/models/{model}:predict") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        var response = await client.SendAsync(request);
        Assert.True((int)response.StatusCode is 400 or 413, $"{(int)response.StatusCode}");
        await ProblemAssert.IsProblemAsync(response, response.StatusCode);
        await AssertGoodPredictionAsync(model);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_BatchOverMaxBatch_IsRefusedAsBatchTooLarge(string model)
    {
        // 1001 rows fit the 4 MiB body cap, so the batch cap (1000) is what must refuse them.
        var body = "{\"instances\":[" + string.Join(',', Enumerable.Repeat(Row(), 1001)) + "]}";
        Assert.True(Encoding.UTF8.GetByteCount(body) < 4 * 1024 * 1024);
        var response = await PredictAsync(model, body);
        Assert.True((int)response.StatusCode is 400 or 413);
        await ProblemAssert.IsProblemAsync(response, response.StatusCode, "serving.batch-too-large");
        await AssertGoodPredictionAsync(model);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_100RowBatchWithinCaps_Is200(string model)
    {
        var rows = string.Join(',', Enumerable.Repeat(Row(), 100));
        var response = await PredictAsync(model, "{\"instances\":[" + rows + "]}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(100, (await response.Content.ReadFromJsonAsync<PredictResponse>())!.Predictions.Count);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_OversizedBody_Is413(string model)
    {
        using var client = Client(model);
        var body = "{\"instances\":[" + new string(' ', 4 * 1024 * 1024) + "]}";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/models/{model}:predict") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        var response = await client.SendAsync(request);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "request.body-too-large");
        await AssertGoodPredictionAsync(model);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Predict_WrongContentType_Is415(string model)
    {
        var response = await PredictAsync(model, Body(Row()), "text/plain");
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported-media-type");
        await AssertGoodPredictionAsync(model);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Infer_OipV2Tensor_Returns200(string model)
    {
        using var client = Client(model);

        // One [1, F] tensor in feature order, as OIP clients send it.
        var schema = fixture.Production[model].Features.Select(f => fixture.SampleRow[f.Name]).ToArray();
        var body = JsonSerializer.Serialize(new { id = "req-1", inputs = new[] { new { name = "input", shape = new[] { 1, schema.Length }, datatype = "FP64", data = schema } } });
        var response = await client.PostAsync($"/v2/models/{model}/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(model, json.GetProperty("model_name").GetString());
        Assert.Equal("req-1", json.GetProperty("id").GetString());
        var label = json.GetProperty("outputs").EnumerateArray().First(o => o.GetProperty("name").GetString() == "label");
        Assert.Equal("malignant", label.GetProperty("data")[0].GetString());
        Assert.Equal(fixture.Production[model].ManifestDigest, Assert.Single(response.Headers.GetValues("X-Bulwark-Manifest-Digest")));

        var versioned = await client.PostAsync($"/v2/models/{model}/versions/{fixture.Production[model].Version}/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, versioned.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Infer_OipV2WrongShape_Is400(string model)
    {
        using var client = Client(model);
        var body = JsonSerializer.Serialize(new { inputs = new[] { new { name = "input", shape = new[] { 1, 3 }, datatype = "FP64", data = new[] { 1.0, 2.0, 3.0 } } } });
        var response = await client.PostAsync($"/v2/models/{model}/infer", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "serving.shape-mismatch");
    }

    [Theory]
    [InlineData(TrainedModelsFixture.MlNetModel, "mlnet")]
    [InlineData(TrainedModelsFixture.OnnxModel, "onnxruntime")]
    public async Task Metadata_OipV2_DescribesModel(string model, string platform)
    {
        using var client = Client(model);
        var json = JsonDocument.Parse(await client.GetStringAsync($"/v2/models/{model}")).RootElement;
        Assert.Equal(model, json.GetProperty("name").GetString());
        Assert.Equal(platform, json.GetProperty("platform").GetString());
        Assert.Equal(30, json.GetProperty("inputs").GetArrayLength());
        Assert.Equal("FP64", json.GetProperty("inputs")[0].GetProperty("datatype").GetString());

        var ready = JsonDocument.Parse(await client.GetStringAsync($"/v2/models/{model}/ready")).RootElement;
        Assert.True(ready.GetProperty("ready").GetBoolean());
        var versionReady = await client.GetAsync($"/v2/models/{model}/versions/{fixture.Production[model].Version}/ready");
        Assert.Equal(HttpStatusCode.OK, versionReady.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/v2/models/{model}/versions/{fixture.Production[model].Version}")).StatusCode);
    }

    [Fact]
    public async Task Metadata_UnknownModel_Is404NotReady()
    {
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/v2/models/nope"), HttpStatusCode.NotFound, "serving.model-not-ready");
        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/v2/models/nope/ready"), HttpStatusCode.NotFound, "serving.model-not-ready");
    }

    [Fact]
    public async Task ListModels_ModelsRead_ListsBothVersions()
    {
        var key = await fixture.Server.CreateKeyAsync(["models:read"]);
        using var client = fixture.Server.CreateClient(key.Key);
        var all = (await client.GetFromJsonAsync<ModelVersionInfo[]>("/api/v1/models"))!;
        Assert.Contains(all, v => v.Model == TrainedModelsFixture.MlNetModel && v.Format == "mlnet" && v.Stage == "production");
        Assert.Contains(all, v => v.Model == TrainedModelsFixture.OnnxModel && v.Format == "onnx" && v.Stage == "production");
        var versions = (await client.GetFromJsonAsync<ModelVersionInfo[]>($"/api/v1/models/{TrainedModelsFixture.MlNetModel}/versions"))!;
        var v1 = Assert.Single(versions);
        Assert.True(v1.Metrics["accuracy"] >= 0.95, $"accuracy {v1.Metrics["accuracy"]}");
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/v1/models/nope/versions"), HttpStatusCode.NotFound, "registry.model-not-found");
    }

    [Fact]
    public async Task Promote_UnknownStage_Is400_AndReadKey_Is403()
    {
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await admin.PostAsJsonAsync($"/api/v1/models/{TrainedModelsFixture.MlNetModel}/promote", new PromoteRequest(1, "shadow"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "registry.invalid-stage");

        var key = await fixture.Server.CreateKeyAsync(["models:read"]);
        using var reader = fixture.Server.CreateClient(key.Key);
        var denied = await reader.PostAsJsonAsync($"/api/v1/models/{TrainedModelsFixture.MlNetModel}/promote", new PromoteRequest(1));
        await ProblemAssert.IsProblemAsync(denied, HttpStatusCode.Forbidden, "auth.forbidden");
    }
}
