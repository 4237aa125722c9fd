using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Server.Tests.Serving;

namespace Bulwark.Server.Tests.Training;

[Collection(TrainedModelsCollection.Name)]
public sealed class TrainingEndpointsTests(TrainedModelsFixture fixture)
{
    [Theory]
    [InlineData(TrainedModelsFixture.MlNetModel)]
    [InlineData(TrainedModelsFixture.OnnxModel)]
    public void Train_BundledDataset_Succeeds(string model)
    {
        var job = fixture.Jobs[model];
        Assert.True(job.State == "succeeded", $"{job.State} {job.ErrorCode} {job.Message}");
        Assert.Equal(1, job.Version);
        Assert.Equal(model, job.ModelName);
    }

    [Fact]
    public async Task Train_UnknownDataset_Is404()
    {
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/models/x/train", new TrainModelRequest(Guid.NewGuid(), "diagnosis"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "dataset.not-found");
    }

    [Theory]
    [InlineData("Bad Name")]
    [InlineData("..")]
    public async Task Train_InvalidModelName_Is4xx(string name)
    {
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await admin.PostAsJsonAsync($"/api/v1/models/{Uri.EscapeDataString(name)}/train", new TrainModelRequest(fixture.Dataset.Id, "diagnosis"));
        Assert.True((int)response.StatusCode is >= 400 and < 500);
    }

    [Fact]
    public async Task Train_UnknownTrainer_Is400()
    {
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/models/x/train", new TrainModelRequest(fixture.Dataset.Id, "diagnosis", Trainer: "xgboost"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "training.invalid-request");
    }

    [Fact]
    public async Task GetJob_Unknown_Is404()
    {
        using var admin = fixture.Server.CreateClient(fixture.Server.AdminKey);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync($"/api/v1/jobs/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "job.not-found");
    }

    [Fact]
    public async Task Train_PredictOnlyKey_Is403()
    {
        var key = await fixture.Server.CreateKeyAsync(["predict:*"]);
        using var client = fixture.Server.CreateClient(key.Key);
        var response = await client.PostAsJsonAsync("/api/v1/models/x/train", new TrainModelRequest(fixture.Dataset.Id, "diagnosis"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
    }
}
