using Bulwark.Core.Crypto;
using Bulwark.Server.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Server.Tests.Hosting;

public sealed class ServerConfigurationTests : IDisposable
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
    public void Apply_PrefixedEnvironmentVariable_IsRead()
    {
        var probe = "Probe" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable($"BULWARK_Bulwark__{probe}", "from-env");
        try
        {
            var configuration = new ConfigurationManager();
            ServerConfiguration.Apply(configuration, []);
            Assert.Equal("from-env", configuration[$"Bulwark:{probe}"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable($"BULWARK_Bulwark__{probe}", null);
        }
    }

    [Fact]
    public void Apply_DataDirFileThenFlags_FlagsWin()
    {
        Directory.CreateDirectory(_dataDir);
        File.WriteAllText(Path.Combine(_dataDir, "bulwark.json"), """{"Bulwark":{"Server":{"Port":9000,"Address":"127.0.0.2"}}}""");
        var configuration = new ConfigurationManager();
        ServerConfiguration.Apply(configuration, ["--data-dir", _dataDir, "--port", "9443"]);
        Assert.Equal("9443", configuration["Bulwark:Server:Port"]);
        Assert.Equal("127.0.0.2", configuration["Bulwark:Server:Address"]);
    }

    [Fact]
    public async Task Build_ConfigFileWithWildcardHosts_Fails()
    {
        await TestServer.InitAsync(_dataDir, TimeProvider.System);
        var file = Path.Combine(_dataDir, "custom.json");
        await File.WriteAllTextAsync(file, """{"Bulwark":{"Server":{"AllowedHosts":"*"}}}""");
        var ex = Assert.Throws<SecurityConfigurationException>(() => BulwarkServer.Build(["--data-dir", _dataDir, "--port", "0", "--config", file]));
        Assert.Contains("AllowedHosts", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_MissingConfigFile_Fails()
    {
        var ex = Assert.Throws<SecurityConfigurationException>(() => BulwarkServer.Build(["--data-dir", _dataDir, "--config", Path.Combine(_dataDir, "nope.json")]));
        Assert.Contains("--config", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_PublicBindWithOptIn_Builds()
    {
        await TestServer.InitAsync(_dataDir, TimeProvider.System);
        await using var app = BulwarkServer.Build(["--data-dir", _dataDir, "--address", "0.0.0.0", "--port", "0", "--Bulwark:Server:AllowPublicBind=true"]);
        Assert.NotNull(app);
    }
}
