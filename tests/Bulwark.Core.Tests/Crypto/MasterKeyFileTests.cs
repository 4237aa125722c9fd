using Bulwark.Core.Crypto;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Core.Tests.Crypto;

public sealed class MasterKeyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-mk-").FullName;

    private string KeyPath => Path.Combine(_dir, "master.key");

    [Fact]
    public void WriteTo_NewKey_IsOwnerOnly()
    {
        MasterKeyFile.CreateNew(new FakeTimeProvider()).WriteTo(KeyPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.NotNull(MasterKeyFile.Load(KeyPath));
    }

    [Theory]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.GroupWrite)]
    public void Load_ModeWiderThan0600_Refuses(UnixFileMode extra)
    {
        MasterKeyFile.CreateNew(new FakeTimeProvider()).WriteTo(KeyPath);
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        var ex = Assert.Throws<SecurityConfigurationException>(() => MasterKeyFile.Load(KeyPath));
        Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ShortKey_Refuses()
    {
        File.WriteAllText(KeyPath, """{"format":"bulwark-master-key/1","primary":"k1","keys":[{"id":"k1","createdAt":"2026-01-01T00:00:00Z","material":"AAAAAAAAAAAAAAAAAAAAAA=="}]}""");
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var ex = Assert.Throws<SecurityConfigurationException>(() => MasterKeyFile.Load(KeyPath));
        Assert.Contains("256 bits", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"format":"other","primary":"k1","keys":[]}""")]
    [InlineData("""{"format":"bulwark-master-key/1","primary":"k9","keys":[{"id":"k1","material":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}""")]
    public void Load_MalformedFile_Refuses(string content)
    {
        File.WriteAllText(KeyPath, content);
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Throws<SecurityConfigurationException>(() => MasterKeyFile.Load(KeyPath));
    }

    [Fact]
    public void Load_Missing_SaysToRunInit()
    {
        var ex = Assert.Throws<SecurityConfigurationException>(() => MasterKeyFile.Load(KeyPath));
        Assert.Contains("bulwark init", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteTo_ExistingFile_NeverOverwrites()
    {
        MasterKeyFile.CreateNew(new FakeTimeProvider()).WriteTo(KeyPath);
        var before = File.ReadAllBytes(KeyPath);

        Assert.Throws<IOException>(() => MasterKeyFile.CreateNew(new FakeTimeProvider()).WriteTo(KeyPath));
        Assert.Equal(before, File.ReadAllBytes(KeyPath));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
