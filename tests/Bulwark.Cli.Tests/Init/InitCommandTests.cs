using System.Text.RegularExpressions;

namespace Bulwark.Cli.Tests.Init;

public sealed partial class InitCommandTests
{
    [Fact]
    public async Task Init_EmptyDirectory_CreatesKeyMaterialDatabaseAndPrintsAdminKeyOnce()
    {
        using var temp = new TempDirectory();
        var dataDir = temp.Combine("data");

        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("init", "--data-dir", dataDir);

        Assert.Equal(0, exit);
        var masterKey = Directory.GetFiles(dataDir).Single(f => Path.GetFileName(f).Contains("master", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(masterKey));
        Assert.True(File.Exists(Path.Combine(dataDir, "tls", "cert.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dataDir, "tls", "key.pem")));
        Assert.NotEmpty(Directory.GetFiles(dataDir, "*.db"));
        var key = AdminKeyLine().Match(stdout);
        Assert.True(key.Success, stdout);
        Assert.Single(Regex.Matches(stdout, Regex.Escape(key.Groups[1].Value)));
        Assert.Matches("SHA-256 +([0-9A-F]{2}:){31}[0-9A-F]{2}", stdout);
        Assert.Contains("warning:", stderr, StringComparison.Ordinal);
        Assert.Contains("bulwark serve --data-dir", stdout, StringComparison.Ordinal);
        var password = AdminPasswordLine().Match(stdout);
        Assert.True(password.Success, stdout);
        Assert.Matches("^[A-Za-z0-9]{6}(-[A-Za-z0-9]{6}){3}$", password.Groups[1].Value);
        Assert.Contains("second factor", stderr, StringComparison.Ordinal);
        Assert.Matches("MFA enrolment code for 'admin' \\(one use, valid 24 hours\\): bwm_[0-9a-f]{32}", stdout);
    }

    [Fact]
    public async Task Init_Twice_FailsClearlyAndKeepsTheFirstKey()
    {
        using var temp = new TempDirectory();
        var dataDir = temp.Combine("data");
        Assert.Equal(0, (await CliRun.ExecuteAsync("init", "--data-dir", dataDir)).Exit);
        var masterKey = Directory.GetFiles(dataDir).Single(f => Path.GetFileName(f).Contains("master", StringComparison.OrdinalIgnoreCase));
        var before = await File.ReadAllBytesAsync(masterKey);

        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("init", "--data-dir", dataDir);

        Assert.NotEqual(0, exit);
        Assert.Contains("already initialised", stderr, StringComparison.Ordinal);
        Assert.DoesNotMatch(AdminKeyLine(), stdout);
        Assert.Equal(before, await File.ReadAllBytesAsync(masterKey));
    }

    [Fact]
    public async Task Init_CertWithoutKey_IsAUsageError()
    {
        using var temp = new TempDirectory();

        var (exit, _, stderr) = await CliRun.ExecuteAsync("init", "--data-dir", temp.Combine("d"), "--tls-cert", temp.Combine("c.pem"));

        Assert.Equal(1, exit);
        Assert.Contains("--tls-key", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("d")));
    }

    [GeneratedRegex(@"^Admin API key.*\n\s*\n\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AdminKeyLine();

    [GeneratedRegex(@"^Admin user 'admin', password.*\n\s*\n\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AdminPasswordLine();
}
