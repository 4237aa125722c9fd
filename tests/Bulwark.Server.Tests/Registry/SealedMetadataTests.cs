using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Serving;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Registry;

/// <summary>
/// Metadata derived from a restricted dataset (category values, statistics) is encrypted at rest in every column that
/// holds it, still served to authorised callers, and a sealed value moved between rows is an integrity failure.
/// </summary>
public sealed class SealedMetadataTests
{
    private const string Canary = "CANARY-CATEGORY-7c1e";
    private const string Model = "canary-model";

    private static string CanaryCsv()
    {
        var csv = new StringBuilder("x1,x2,region,outcome\n");
        for (var i = 0; i < 60; i++)
        {
            var x1 = i / 60.0;
            var x2 = (i * 7 % 60) / 60.0;
            csv.Append(CultureInfo.InvariantCulture, $"{x1:F4},{x2:F4},{(i % 2 == 0 ? "north" : Canary)},{(x1 + x2 > 1 ? "fraud" : "ok")}\n");
        }

        return csv.ToString();
    }

    private static async Task<DatasetInfo> ImportAsync(HttpClient admin, string name)
    {
        var response = await admin.PostAsync($"/api/v1/datasets?name={name}&classification=restricted&label=outcome",
            new StringContent(CanaryCsv(), Encoding.UTF8, "text/csv"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DatasetInfo>())!;
    }

    private static async Task<int> TrainAsync(HttpClient admin, Guid datasetId)
    {
        var submitted = await admin.PostAsJsonAsync($"/api/v1/models/{Model}/train", new TrainModelRequest(datasetId, "outcome", Runtime: "mlnet"));
        Assert.True(submitted.StatusCode == HttpStatusCode.Accepted, await submitted.Content.ReadAsStringAsync());
        var job = await TrainedModelsFixture.WaitForJobAsync(admin, (await submitted.Content.ReadFromJsonAsync<JobInfo>())!.Id);
        Assert.True(job.State == "succeeded", job.Message);
        return job.Version!.Value;
    }

    /// <summary>The canary as UTF-8 and the stable part of its base64 at each of the three byte alignments.</summary>
    private static List<byte[]> Needles()
    {
        var plain = Encoding.UTF8.GetBytes(Canary);
        var needles = new List<byte[]> { plain };
        for (var shift = 0; shift < 3; shift++)
        {
            var b64 = Convert.ToBase64String([.. new byte[shift], .. plain]);
            needles.Add(Encoding.ASCII.GetBytes(b64[(shift == 0 ? 0 : 4)..^4]));
        }

        return needles;
    }

    private static async Task<List<string>> FilesHoldingCanaryAsync(string dataDir)
    {
        var hits = new List<string>();
        foreach (var path in Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories))
        {
            // Shared read: the database and its -wal/-shm are open, as they would be when an attacker copies them.
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            var bytes = buffer.ToArray();
            if (Needles().Any(n => bytes.AsSpan().IndexOf(n) >= 0))
            {
                hits.Add(Path.GetRelativePath(dataDir, path));
            }
        }

        return hits;
    }

    private static async Task<int> SqlAsync(TestServer server, FormattableString sql)
    {
        // Raw SQL against the database file, bypassing the entity layer, as an attacker with database access would.
        await using var scope = server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().Database.ExecuteSqlAsync(sql);
    }

    private static async Task<(string Envelope, string Feature)> ReadColumnsAsync(TestServer server, int version)
    {
        await using var scope = server.App.Services.CreateAsyncScope();
        var row = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().ModelVersions.IgnoreQueryFilters().AsNoTracking()
            .SingleAsync(v => v.ModelName == Model && v.Version == version);
        return (row.ManifestEnvelope, row.FeatureSchemaJson);
    }

    [Fact]
    public async Task ImportTrainAndTamper_RestrictedCanary_SealedAtRestServedWhenAuthorisedSwapsRefused()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.CreateClient(server.AdminKey);
        var dataset = await ImportAsync(admin, "canary");
        var other = await ImportAsync(admin, "canary-two");
        var first = await TrainAsync(admin, dataset.Id);
        var second = await TrainAsync(admin, dataset.Id);

        // Authorised callers still get the categories (so the canary really flowed into every derived column).
        var fetched = (await admin.GetFromJsonAsync<DatasetInfo>($"/api/v1/datasets/{dataset.Id}"))!;
        Assert.Contains(Canary, fetched.Columns.Single(c => c.Name == "region").Categories!);
        var versions = (await admin.GetFromJsonAsync<ModelVersionInfo[]>($"/api/v1/models/{Model}/versions"))!;
        Assert.All(versions, v => Assert.Contains(Canary, v.Features.Single(f => f.Name == "region").Categories!));

        // Nothing on disk holds it in clear (nor base64 of it, as in the DSSE payload).
        Assert.Empty(await FilesHoldingCanaryAsync(server.DataDir));

        // Promoted and served before tampering.
        await TrainedModelsFixture.PromoteAsync(admin, Model, first);
        const string row = "{\"instances\":[{\"x1\":0.9,\"x2\":0.8,\"region\":\"north\"}]}";
        var ok = await admin.PostAsync($"/v1/models/{Model}:predict", new StringContent(row, Encoding.UTF8, "application/json"));
        Assert.True(ok.StatusCode == HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());

        // Swap the sealed manifests of the two versions: each is bound to its own row id, so the load is refused.
        var a = await ReadColumnsAsync(server, first);
        var b = await ReadColumnsAsync(server, second);
        Assert.Equal(1, await SqlAsync(server, $"UPDATE model_versions SET ManifestEnvelope = {b.Envelope} WHERE ModelName = {Model} AND Version = {first}"));
        Assert.Equal(1, await SqlAsync(server, $"UPDATE model_versions SET ManifestEnvelope = {a.Envelope} WHERE ModelName = {Model} AND Version = {second}"));
        server.App.Services.GetRequiredService<LoadedModelCache>().Invalidate(Bulwark.Core.Projects.ProjectIds.Default, Model);
        var refused = await admin.PostAsync($"/v1/models/{Model}:predict", new StringContent(row, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.ServiceUnavailable, ErrorCodes.SignatureInvalid);
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            Assert.True(await db.AuditEvents.AnyAsync(e => e.Code == AuditCodes.ModelIntegrityFailure && e.Resource == $"model/{Model}/{first}"));
        }

        // Swapped feature schemas: the registry answers its integrity failure, never an unhandled 500.
        Assert.Equal(1, await SqlAsync(server, $"UPDATE model_versions SET FeatureSchemaJson = {b.Feature} WHERE ModelName = {Model} AND Version = {first}"));
        var listed = await admin.GetAsync($"/api/v1/models/{Model}/versions");
        await ProblemAssert.IsProblemAsync(listed, HttpStatusCode.ServiceUnavailable, ErrorCodes.SignatureInvalid);
        var metadata = await admin.GetAsync($"/v2/models/{Model}/versions/{first}");
        Assert.True((int)metadata.StatusCode is 503 or 404, await metadata.Content.ReadAsStringAsync());

        // Swapped dataset schemas: dataset.integrity-failed on GET and on the listing, not an unhandled exception.
        string schemaA, schemaB;
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            schemaA = (await db.Datasets.IgnoreQueryFilters().AsNoTracking().SingleAsync(d => d.Name == "canary")).SchemaJson;
            schemaB = (await db.Datasets.IgnoreQueryFilters().AsNoTracking().SingleAsync(d => d.Name == "canary-two")).SchemaJson;
        }

        Assert.Equal(1, await SqlAsync(server, $"UPDATE datasets SET SchemaJson = {schemaB} WHERE Name = 'canary'"));
        Assert.Equal(1, await SqlAsync(server, $"UPDATE datasets SET SchemaJson = {schemaA} WHERE Name = 'canary-two'"));
        foreach (var id in new[] { dataset.Id, other.Id })
        {
            var got = await admin.GetAsync($"/api/v1/datasets/{id}");
            var problem = await ProblemAssert.IsProblemAsync(got, got.StatusCode, ErrorCodes.DatasetIntegrityFailed);
            Assert.DoesNotContain("Cryptographic", problem.ToString(), StringComparison.Ordinal);
        }

        var list = await admin.GetAsync("/api/v1/datasets");
        await ProblemAssert.IsProblemAsync(list, list.StatusCode, ErrorCodes.DatasetIntegrityFailed);
        var train = await admin.PostAsJsonAsync($"/api/v1/models/{Model}/train", new TrainModelRequest(dataset.Id, "outcome"));
        await ProblemAssert.IsProblemAsync(train, train.StatusCode, ErrorCodes.DatasetIntegrityFailed);
    }
}
