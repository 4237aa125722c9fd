using System.Security.Cryptography;
using Bulwark.Core.Crypto;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Crypto;

public sealed class ArtifactStoreTests
{
    private const UnixFileMode OwnerOnlyDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task PutAsync_FilesAndDirectories_AreOwnerOnly()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var store = env.Services.GetRequiredService<ArtifactStore>();

        await store.PutAsync("model", Guid.NewGuid().ToString("N") + "/model.zip", new byte[] { 1, 2, 3 });

        foreach (var dir in Directory.GetDirectories(Path.Combine(env.DataDir, "objects"), "*", SearchOption.AllDirectories).Append(Path.Combine(env.DataDir, "objects")))
        {
            Assert.Equal(OwnerOnlyDir, File.GetUnixFileMode(dir));
        }

        foreach (var file in Directory.GetFiles(Path.Combine(env.DataDir, "objects"), "*", SearchOption.AllDirectories))
        {
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(file));
        }

        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(env.DataDir, "bulwark.db")));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../b")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    [InlineData("a b")]
    public async Task PutAsync_UnsafeObjectId_Refuses(string objectId)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var store = env.Services.GetRequiredService<ArtifactStore>();

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("dataset", objectId, new byte[] { 1 }));
    }

    [Fact]
    public async Task GetAsync_FileCopiedOverAnotherObject_FailsAuthentication()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var store = env.Services.GetRequiredService<ArtifactStore>();
        await store.PutAsync("dataset", "a", "rows of a"u8.ToArray());
        await store.PutAsync("dataset", "b", "rows of b"u8.ToArray());

        File.Copy(store.FullPath("dataset", "a"), store.FullPath("dataset", "b"), overwrite: true);

        await Assert.ThrowsAnyAsync<CryptographicException>(() => store.GetAsync("dataset", "b"));
        Assert.Equal("rows of a"u8.ToArray(), await store.GetAsync("dataset", "a"));
    }
}
