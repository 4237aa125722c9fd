using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Serving;

[Collection(TrainedModelsCollection.Name)]
public sealed class ModelIntegrityTests(TrainedModelsFixture fixture)
{
    [Theory]
    [InlineData("tamper-mlnet", "mlnet")]
    [InlineData("tamper-onnx", "onnx")]
    public async Task Predict_FlippedByteInStoredArtifact_IsRefusedAndAudited(string model, string runtime)
    {
        var server = fixture.Server;
        using var admin = server.CreateClient(server.AdminKey);
        var submitted = await admin.PostAsJsonAsync($"/api/v1/models/{model}/train", new TrainModelRequest(fixture.Dataset.Id, "diagnosis", Runtime: runtime));
        var job = await TrainedModelsFixture.WaitForJobAsync(admin, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        Assert.Equal("succeeded", job.State);
        await TrainedModelsFixture.PromoteAsync(admin, model, job.Version!.Value);
        var row = "{\"instances\":[{" + string.Join(',', fixture.SampleRow.Select(kv => $"\"{kv.Key}\":{kv.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}")) + "}]}";
        var ok = await admin.PostAsync($"/v1/models/{model}:predict", new StringContent(row, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        Guid versionId;
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            versionId = (await db.ModelVersions.IgnoreQueryFilters().AsNoTracking().SingleAsync(v => v.ModelName == model)).Id;
        }

        var files = Directory.GetFiles(Path.Combine(server.DataDir, "objects", "model", versionId.ToString("N")), "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var target = files.OrderByDescending(f => new FileInfo(f).Length).First();
        var bytes = await File.ReadAllBytesAsync(target);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(target, bytes);

        // Drop the verified in-memory copy, as a restart or a promotion would.
        server.App.Services.GetRequiredService<LoadedModelCache>().Invalidate(Bulwark.Core.Projects.ProjectIds.Default, model);

        var refused = await admin.PostAsync($"/v1/models/{model}:predict", new StringContent(row, Encoding.UTF8, "application/json"));
        Assert.True((int)refused.StatusCode >= 500, await refused.Content.ReadAsStringAsync());
        var problem = await ProblemAssert.IsProblemAsync(refused, refused.StatusCode);
        Assert.NotEqual("server.internal-error", problem.GetProperty("code").GetString());

        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            Assert.True(await db.AuditEvents.AnyAsync(e => e.Code == AuditCodes.ModelIntegrityFailure && e.Resource.Contains(model)));
        }
    }
}
