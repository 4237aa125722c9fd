using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Serving;

[Collection(TrainedModelsCollection.Name)]
public sealed class ModelReadinessTests(TrainedModelsFixture fixture)
{
    [Fact]
    public async Task MetadataAndReady_UnknownModel_Is404NotReady()
    {
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/v2/models/no-such-model"), HttpStatusCode.NotFound, "serving.model-not-ready");
        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/v2/models/no-such-model/ready"), HttpStatusCode.NotFound, "serving.model-not-ready");
    }

    [Fact]
    public async Task VersionMetadataAndReady_CandidateWithPredictOnlyKey_Is404ButAdminSeesIt()
    {
        const string model = "cancer-candidate";
        var server = fixture.Server;
        using var admin = server.CreateClient(server.AdminKey);
        var submitted = await admin.PostAsJsonAsync($"/api/v1/models/{model}/train", new TrainModelRequest(fixture.Dataset.Id, "diagnosis"));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var job = await TrainedModelsFixture.WaitForJobAsync(admin, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        Assert.Equal("succeeded", job.State);
        using var predictOnly = server.CreateClient((await server.CreateKeyAsync([$"predict:{model}"], name: "candidate-client")).Key);

        foreach (var path in new[] { $"/v2/models/{model}/versions/{job.Version}", $"/v2/models/{model}/versions/{job.Version}/ready" })
        {
            await ProblemAssert.IsProblemAsync(await predictOnly.GetAsync(path), HttpStatusCode.NotFound, "serving.model-not-ready");
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task MetadataAndReady_ForgedStageTag_Is503StageTamperedNotNotReady()
    {
        var model = TrainedModelsFixture.MlNetModel;
        Assert.True(fixture.Production.ContainsKey(model), "the fixture did not promote the model");
        var server = fixture.Server;
        using var admin = server.CreateClient(server.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/v2/models/{model}/ready")).StatusCode);

        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        var version = await db.ModelVersions.IgnoreQueryFilters().AsNoTracking().SingleAsync(v => v.ModelName == model && v.Stage == ModelStage.Production);
        var original = version.StageTag;
        var forged = (byte[])original.Clone();
        forged[0] ^= 0x01;
        await db.ModelVersions.IgnoreQueryFilters().Where(v => v.Id == version.Id).ExecuteUpdateAsync(s => s.SetProperty(v => v.StageTag, forged));
        try
        {
            await ProblemAssert.IsProblemAsync(await admin.GetAsync($"/v2/models/{model}"), HttpStatusCode.ServiceUnavailable, "registry.stage-tampered");
            await ProblemAssert.IsProblemAsync(await admin.GetAsync($"/v2/models/{model}/ready"), HttpStatusCode.ServiceUnavailable, "registry.stage-tampered");
        }
        finally
        {
            // The fixture's server is shared by the other serving tests.
            await db.ModelVersions.IgnoreQueryFilters().Where(v => v.Id == version.Id).ExecuteUpdateAsync(s => s.SetProperty(v => v.StageTag, original));
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/v2/models/{model}/ready")).StatusCode);
    }
}
