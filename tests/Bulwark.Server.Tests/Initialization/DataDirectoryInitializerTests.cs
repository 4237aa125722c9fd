using System.Security.Cryptography.X509Certificates;
using Bulwark.Server.Hosting;
using Bulwark.Server.Initialization;
using Microsoft.Data.Sqlite;

namespace Bulwark.Server.Tests.Initialization;

public sealed class DataDirectoryInitializerTests : IDisposable
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
    public async Task Initialize_FreshDir_CreatesPrivateFilesAndOneAdminKey()
    {
        var outcome = await DataDirectoryInitializer.InitializeAsync(_dataDir, new InitOptions());
        Assert.True(outcome.Succeeded);
        var init = outcome.Value;
        Assert.StartsWith("bwk_", init.AdminKey, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dataDir));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(init.MasterKeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(init.KeyPath));
        Assert.True(File.Exists(init.DatabasePath));
        Assert.DoesNotContain(init.AdminKey[17..], await File.ReadAllTextAsync(init.DatabasePath), StringComparison.Ordinal);

        using var cert = TlsCertificates.Load(init.CertificatePath, init.KeyPath);
        Assert.Equal(init.CertFingerprint, TlsCertificates.Sha256Fingerprint(cert));
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", init.CertFingerprint);
        var san = cert.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("localhost", san.EnumerateDnsNames());
        Assert.Contains(System.Net.IPAddress.Loopback, san.EnumerateIPAddresses());
        Assert.Contains(System.Net.IPAddress.IPv6Loopback, san.EnumerateIPAddresses());
        Assert.Equal("1.2.840.10045.2.1", cert.PublicKey.Oid.Value); // id-ecPublicKey
    }

    [Fact]
    public async Task Initialize_Twice_RefusesWithStableCode()
    {
        var first = await DataDirectoryInitializer.InitializeAsync(_dataDir, new InitOptions());
        Assert.True(first.Succeeded);
        var second = await DataDirectoryInitializer.InitializeAsync(_dataDir, new InitOptions());
        Assert.False(second.Succeeded);
        Assert.Equal(DataDirectoryInitializer.AlreadyInitialized, second.Failure.Code);
    }

    [Fact]
    public async Task Initialize_GivenPemPair_UsesIt()
    {
        var source = TestServer.NewDataDir();
        Directory.CreateDirectory(source);
        try
        {
            using var given = TlsCertificates.CreateSelfSigned(Path.Combine(source, "c.pem"), Path.Combine(source, "k.pem"));
            var outcome = await DataDirectoryInitializer.InitializeAsync(_dataDir, new InitOptions(Path.Combine(source, "c.pem"), Path.Combine(source, "k.pem")));
            Assert.True(outcome.Succeeded);
            Assert.Equal(TlsCertificates.Sha256Fingerprint(given), outcome.Value.CertFingerprint);
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }
}
