using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bulwark.Server.Tests.Serving;

namespace Bulwark.Server.Tests.Registry;

[Collection(TrainedModelsCollection.Name)]
public sealed class ModelImportTests(TrainedModelsFixture fixture)
{
    private const string Schema = """{"task":"binary","features":[{"name":"x","kind":"numeric"}],"classes":["no","yes"]}""";

    private static MultipartFormDataContent Form(byte[] model, string fileName, string schema = Schema)
    {
        var file = new ByteArrayContent(model);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent
        {
            { file, "model", fileName },
            { new StringContent(schema, Encoding.UTF8, "application/json"), "schema" },
        };
    }

    [Fact]
    public async Task Import_PickleRenamedOnnx_Is415FormatUnsupported()
    {
        // pickle.dumps({"a": 1}, protocol=4): a pickle executes code on load; it must never be accepted.
        byte[] pickle = [0x80, 0x04, 0x95, 0x0b, 0, 0, 0, 0, 0, 0, 0, (byte)'}', 0x94, 0x8c, 0x01, (byte)'a', 0x94, (byte)'K', 0x01, (byte)'s', (byte)'.'];
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await admin.PostAsync("/api/v1/models/imported/versions", Form(pickle, "model.onnx"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "registry.format-unsupported");
    }

    [Fact]
    public async Task Import_ZipRenamedOnnx_IsRefused()
    {
        byte[] zip = [(byte)'P', (byte)'K', 3, 4, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await admin.PostAsync("/api/v1/models/imported/versions", Form(zip, "model.onnx"));
        var status = (int)response.StatusCode;
        Assert.True(status is 415 or 422, await response.Content.ReadAsStringAsync());
        await ProblemAssert.IsProblemAsync(response, response.StatusCode);
    }

    [Fact]
    public async Task Import_MalformedSchemaJson_Is400()
    {
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await admin.PostAsync("/api/v1/models/imported/versions", Form([1, 2, 3], "model.onnx", "{not json"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "request.malformed-json");
    }

    [Fact]
    public async Task Import_JsonBody_Is415()
    {
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await admin.PostAsync("/api/v1/models/imported/versions", TrainedModelsFixture.Json(Schema));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported-media-type");
    }

    [Fact]
    public async Task Import_ReadOnlyKey_Is403()
    {
        var key = await fixture.Server.CreateKeyAsync(["models:read"]);
        using var client = fixture.Server.CreateClient(key.Key);
        var response = await client.PostAsync("/api/v1/models/imported/versions", Form([1], "model.onnx"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
    }
}
