using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Datasets;

public sealed class DatasetCatalogTests
{
    private const string Csv = "x,color,label\n1.5,red,yes\n-2,blue,no\n3.25,red,no\n";

    [Fact]
    public async Task LoadAsync_ImportedDataset_RoundTripsColumns()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var imported = await DatasetTestData.ImportAsync(env, Csv, label: "label");
        Assert.True(imported.Succeeded, imported.Failure?.Detail);

        await using var scope = env.Scope();
        var loaded = await scope.ServiceProvider.GetRequiredService<DatasetCatalog>().LoadAsync(imported.Value.Id);

        Assert.True(loaded.Succeeded, loaded.Failure?.Detail);
        Assert.Equal(imported.Value.Id, loaded.Value.Id);
        Assert.Equal(3, loaded.Value.RowCount);
        Assert.Equal([1.5, -2, 3.25], loaded.Value.Find("x")!.Numbers!);
        Assert.Equal(["red", "blue", "red"], loaded.Value.Find("color")!.Values!);
        Assert.Equal(ColumnKind.Label, loaded.Value.Find("label")!.Schema.Kind);
        Assert.Equal(["no", "yes"], loaded.Value.Schema.Label!.Categories);
    }

    [Fact]
    public async Task ListAsync_AndGetAsync_ReturnImportedDatasets()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var first = await DatasetTestData.ImportAsync(env, Csv);
        env.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await DatasetTestData.ImportAsync(env, Csv);

        await using var scope = env.Scope();
        var catalog = scope.ServiceProvider.GetRequiredService<DatasetCatalog>();
        var all = await catalog.ListAsync();

        Assert.Equal([second.Value!.Id, first.Value!.Id], all.Select(d => d.Id));
        Assert.True((await catalog.GetAsync(first.Value.Id)).Succeeded);
        var missing = await catalog.GetAsync(Guid.NewGuid());
        Assert.Equal(DatasetErrors.NotFound, missing.Failure?.Code);
        Assert.Equal(404, missing.Failure!.Status);
    }

    [Fact]
    public async Task LoadAsync_TwoStoredFilesSwapped_FailsCleanly()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var a = (await DatasetTestData.ImportAsync(env, Csv)).Value!;
        var b = (await DatasetTestData.ImportAsync(env, "x,color,label\n9,green,yes\n8,green,no\n")).Value!;
        var store = env.Services.GetRequiredService<ArtifactStore>();
        var pathA = store.FullPath(DatasetImporter.ArtifactPurpose, a.Id.ToString("N"));
        var pathB = store.FullPath(DatasetImporter.ArtifactPurpose, b.Id.ToString("N"));
        File.Move(pathA, pathA + ".swap");
        File.Move(pathB, pathA);
        File.Move(pathA + ".swap", pathB);

        await using var scope = env.Scope();
        var catalog = scope.ServiceProvider.GetRequiredService<DatasetCatalog>();
        foreach (var id in new[] { a.Id, b.Id })
        {
            var loaded = await catalog.LoadAsync(id);
            Assert.False(loaded.Succeeded);
            Assert.Equal(DatasetErrors.IntegrityFailed, loaded.Failure.Code);
        }
    }

    [Fact]
    public async Task LoadAsync_FlippedByteOrMissingFile_FailsCleanly()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var a = (await DatasetTestData.ImportAsync(env, Csv)).Value!;
        var b = (await DatasetTestData.ImportAsync(env, Csv)).Value!;
        var store = env.Services.GetRequiredService<ArtifactStore>();
        var path = store.FullPath(DatasetImporter.ArtifactPurpose, a.Id.ToString("N"));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^5] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);
        File.Delete(store.FullPath(DatasetImporter.ArtifactPurpose, b.Id.ToString("N")));

        await using var scope = env.Scope();
        var catalog = scope.ServiceProvider.GetRequiredService<DatasetCatalog>();
        Assert.Equal(DatasetErrors.IntegrityFailed, (await catalog.LoadAsync(a.Id)).Failure?.Code);
        Assert.Equal(DatasetErrors.IntegrityFailed, (await catalog.LoadAsync(b.Id)).Failure?.Code);
        Assert.Equal(DatasetErrors.NotFound, (await catalog.LoadAsync(Guid.NewGuid())).Failure?.Code);
    }
}
