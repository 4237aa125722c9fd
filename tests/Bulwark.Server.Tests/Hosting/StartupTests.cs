using Bulwark.Core.Crypto;
using Microsoft.Data.Sqlite;

namespace Bulwark.Server.Tests.Hosting;

public sealed class StartupTests : IDisposable
{
    private readonly string _dataDir = TestServer.NewDataDir();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Build_MasterKeyReadableByOthers_FailsNamingChmod600()
    {
        await TestServer.InitAsync(_dataDir, TimeProvider.System);
        File.SetUnixFileMode(Path.Combine(_dataDir, "master.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var ex = Assert.Throws<SecurityConfigurationException>(() => TestServer.Build(_dataDir, TimeProvider.System));
        Assert.Contains("chmod 600", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NotInitialised_FailsNamingInit()
    {
        Directory.CreateDirectory(_dataDir);
        var ex = Assert.Throws<SecurityConfigurationException>(() => TestServer.Build(_dataDir, TimeProvider.System));
        Assert.Contains("bulwark init", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_WildcardAddressWithoutOptIn_Fails()
    {
        await TestServer.InitAsync(_dataDir, TimeProvider.System);
        var ex = Assert.Throws<SecurityConfigurationException>(() =>
            TestServer.Build(_dataDir, TimeProvider.System, new Dictionary<string, string?> { ["Bulwark:Server:Address"] = "0.0.0.0" }));
        Assert.Contains("AllowPublicBind", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_AllowedHostsWildcard_Fails()
    {
        await TestServer.InitAsync(_dataDir, TimeProvider.System);
        var ex = Assert.Throws<SecurityConfigurationException>(() =>
            TestServer.Build(_dataDir, TimeProvider.System, new Dictionary<string, string?> { ["Bulwark:Server:AllowedHosts"] = "*" }));
        Assert.Contains("AllowedHosts", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_CertificateMissing_FailsNamingTheFix()
    {
        await TestServer.InitAsync(_dataDir, TimeProvider.System);
        File.Delete(Path.Combine(_dataDir, "tls", "cert.pem"));
        var ex = Assert.Throws<SecurityConfigurationException>(() => TestServer.Build(_dataDir, TimeProvider.System));
        Assert.Contains("CertificatePath", ex.Message, StringComparison.Ordinal);
    }
}
