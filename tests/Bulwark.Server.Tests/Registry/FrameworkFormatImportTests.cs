using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Serving;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Registry;

/// <summary>
/// The import gate names the two framework features that run code on load, with their own codes and severities, and
/// audits the attempt: a Keras Lambda layer and a TensorFlow graph with file ops, bare and inside a zip. The files are
/// assembled here from bytes and never loaded by Keras or TensorFlow.
/// </summary>
[Collection(TrainedModelsCollection.Name)]
public sealed class FrameworkFormatImportTests(TrainedModelsFixture fixture)
{
    private const string Schema = """{"task":"binary","features":[{"name":"x","kind":"numeric"}],"classes":["no","yes"]}""";
    private static readonly byte[] Hdf5Magic = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A];

    private static byte[] KerasH5 => [.. Hdf5Magic, .. new byte[32], .. "model_config"u8, 0,
        .. """{"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda", "config": {"function": ["4wEAAAAA", null, null]}}]}}"""u8];

    // GraphDef { node { name: "n" op: "ReadFile" } }
    private static byte[] GraphDef => [0x0A, 0x0D, 0x0A, 0x01, (byte)'n', 0x12, 0x08, .. "ReadFile"u8];

    [Theory]
    [InlineData("keras", "registry.keras-lambda", "high")]
    [InlineData("tensorflow", "registry.tensorflow-file-op", "critical")]
    [InlineData("zipped-tensorflow", "registry.tensorflow-file-op", "critical")]
    [InlineData("zipped-keras", "registry.keras-lambda", "high")]
    public async Task Import_CodeRunningFrameworkFeature_422WithItsCode_AndAudited(string sample, string code, string severity)
    {
        var bytes = sample switch
        {
            "keras" => KerasH5,
            "tensorflow" => GraphDef,
            "zipped-tensorflow" => Zip("saved_model/saved_model.pb", GraphDef),
            _ => Zip("model.h5", KerasH5),
        };
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var model = "framework-" + sample;
        var response = await admin.PostAsync($"/api/v1/models/{model}/versions", Form(bytes));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity, code);

        await using var scope = fixture.Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        var rejected = await db.AuditEvents.AsNoTracking().Where(e => e.Code == AuditCodes.ModelImportRejected && e.Resource == "model/" + model).SingleAsync();
        Assert.Contains($"\"code\":\"{code}\"", rejected.Details, StringComparison.Ordinal);
        Assert.Contains($"\"severity\":\"{severity}\"", rejected.Details, StringComparison.Ordinal);
    }

    private static MultipartFormDataContent Form(byte[] model)
    {
        var file = new ByteArrayContent(model);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent
        {
            { file, "model", "model.onnx" },
            { new StringContent(Schema, Encoding.UTF8, "application/json"), "schema" },
        };
    }

    private static byte[] Zip(string name, byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry(name).Open();
            entry.Write(content);
        }

        return buffer.ToArray();
    }
}
