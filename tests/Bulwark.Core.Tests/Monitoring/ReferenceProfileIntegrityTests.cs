using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Bulwark.Core.Tests.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Monitoring;

/// <summary>
/// reference.json is a model artifact: encrypted at rest and named in the signed manifest. Whoever edits it (to widen the
/// bounds so poisoned inputs pass unflagged, say) or removes it makes the version refuse to load.
/// </summary>
public sealed class ReferenceProfileIntegrityTests
{
    private static async Task<ModelVersion> RegisterAsync(CoreTestEnvironment env, NewModelVersion version)
    {
        await using var scope = env.Scope();
        var result = await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(version);
        Assert.True(result.Succeeded, result.Failure?.Detail);
        return result.Value;
    }

    private static async Task<Outcome<LoadedModel>> LoadAsync(CoreTestEnvironment env, Guid id)
    {
        await using var scope = env.Scope();
        var row = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().ModelVersions.AsNoTracking().SingleAsync(v => v.Id == id);
        return await env.Services.GetRequiredService<ModelLoader>().LoadAsync(row);
    }

    private static async Task AssertRefusedAsync(CoreTestEnvironment env, Guid id, string code)
    {
        var result = await LoadAsync(env, id);

        Assert.False(result.Succeeded);
        Assert.Equal((code, 503), (result.Failure.Code, result.Failure.Status));
        var audit = Assert.Single(await env.AuditAsync(AuditCodes.ModelIntegrityFailure));
        Assert.Contains(code, audit.Details, StringComparison.Ordinal);
    }

    private static string ObjectId(ModelVersion version) => ModelRegistrar.ObjectId(version.Id, ReferenceProfile.FileName);

    [Fact]
    public async Task LoadAsync_TrainedVersion_VerifiesAndExposesTheProfileAndGuard()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env, ProfiledModels.NewVersion("fraud"));

        var result = await LoadAsync(env, version.Id);

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.NotNull(result.Value.Reference);
        Assert.NotNull(result.Value.OutOfDistribution);
        Assert.Equal(["x1", "x2"], result.Value.Reference.Numeric.Select(n => n.Name));
        Assert.Equal(["north", "south"], result.Value.Reference.Categorical.Single().Counts.Keys.Order(StringComparer.Ordinal));
        result.Value.Release();

        // At rest the profile is an envelope, not JSON: the training statistics are not readable from the data directory.
        var stored = await File.ReadAllBytesAsync(env.Services.GetRequiredService<ArtifactStore>().FullPath(ModelRegistrar.ArtifactPurpose, ObjectId(version)));
        Assert.DoesNotContain("\"numeric\"", Encoding.Latin1.GetString(stored), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LoadAsync_ProfileWidenedAndReEncryptedWithTheMasterKey_RefusedByTheSignedDigest()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env, ProfiledModels.NewVersion("fraud"));
        var store = env.Services.GetRequiredService<ArtifactStore>();

        // An insider with the master key decrypts the profile, widens every feature's range, and encrypts it back.
        var json = JsonNode.Parse(await store.GetAsync(ModelRegistrar.ArtifactPurpose, ObjectId(version)))!;
        foreach (var numeric in json["numeric"]!.AsArray())
        {
            numeric!["max"] = 1e9;
        }

        await store.PutAsync(ModelRegistrar.ArtifactPurpose, ObjectId(version), Encoding.UTF8.GetBytes(json.ToJsonString()));

        await AssertRefusedAsync(env, version.Id, RegistryErrors.DigestMismatch);
    }

    [Fact]
    public async Task LoadAsync_FlippedByteInStoredProfile_Refused()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env, ProfiledModels.NewVersion("fraud"));
        var path = env.Services.GetRequiredService<ArtifactStore>().FullPath(ModelRegistrar.ArtifactPurpose, ObjectId(version));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^10] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        await AssertRefusedAsync(env, version.Id, RegistryErrors.DigestMismatch);
    }

    [Fact]
    public async Task LoadAsync_ProfileDeleted_RefusedRatherThanServedWithoutTheGuard()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env, ProfiledModels.NewVersion("fraud"));

        env.Services.GetRequiredService<ArtifactStore>().Delete(ModelRegistrar.ArtifactPurpose, ObjectId(version));

        await AssertRefusedAsync(env, version.Id, RegistryErrors.DigestMismatch);
    }

    [Fact]
    public async Task LoadAsync_ProfilePlantedIntoAVersionSignedWithoutOne_Refused()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env, RegistryTestModels.NewVersion("fraud"));

        await env.Services.GetRequiredService<ArtifactStore>().PutAsync(ModelRegistrar.ArtifactPurpose, ObjectId(version),
            ProfiledModels.Small.Files[ReferenceProfile.FileName]);

        await AssertRefusedAsync(env, version.Id, RegistryErrors.DigestMismatch);
    }

    [Fact]
    public async Task LoadAsync_VersionWithoutProfile_LoadsWithoutAGuard()
    {
        // Imported models and versions trained before profiles existed.
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAsync(env, RegistryTestModels.NewVersion("fraud"));

        var result = await LoadAsync(env, version.Id);

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Null(result.Value.Reference);
        Assert.Null(result.Value.OutOfDistribution);
        result.Value.Release();
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"formatVersion\":2,\"rows\":10,\"numeric\":[],\"categorical\":[]}")]
    [InlineData("{\"formatVersion\":1,\"rows\":10,\"numeric\":[{\"name\":\"nope\",\"count\":1,\"min\":0,\"max\":1,\"mean\":0,\"stdDev\":0,\"quantiles\":[],\"binEdges\":[],\"binProportions\":[1]}],\"categorical\":[]}")]
    public async Task LoadAsync_SignedProfileThatDoesNotFitTheSchema_Refused(string profile)
    {
        // Signed, so not an attack: a bug or a format this version cannot read. Serving it with a guard that misreads
        // rows would be worse than not serving it.
        await using var env = await CoreTestEnvironment.CreateAsync();
        var files = new Dictionary<string, byte[]>(ProfiledModels.Small.Files, StringComparer.Ordinal) { [ReferenceProfile.FileName] = Encoding.UTF8.GetBytes(profile) };
        var version = await RegisterAsync(env, ProfiledModels.NewVersion("fraud", files));

        await AssertRefusedAsync(env, version.Id, RegistryErrors.SignatureInvalid);
    }
}
