using System.Text.Json;
using Bulwark.Client;

namespace Bulwark.Cli.Tests.Demo;

[Collection(DemoCollection.Name)]
public sealed class DemoTests(DemoFixture demo)
{
    private static readonly string FirstRowRequest = Cli.Commands.Demo.DemoDataset.FirstRowRequest(RepositoryData.BreastCancerCsv);

    [Fact]
    public async Task Demo_DemoJson_DrivesARealHttpsPredictionWithTheScopedKey()
    {
        var baseUrl = new Uri(demo.DemoJson.GetProperty("baseUrl").GetString()!);
        using var client = new BulwarkClient(baseUrl, demo.DemoJson.GetProperty("apiKey").GetString()!,
            ServerTrust.CaCertificateFile(demo.DemoJson.GetProperty("caCertPath").GetString()!));

        var response = await client.PredictAsync("breast-cancer", FirstRowRequest);

        Assert.Equal("breast-cancer", response.Model);
        Assert.Equal("malignant", Assert.Single(response.Predictions).Label); // row 1 of the bundled data is malignant
        Assert.Equal("https", baseUrl.Scheme);
        Assert.Equal("breast-cancer", demo.DemoJson.GetProperty("model").GetString());
    }

    [Fact]
    public void Demo_DemoJson_IsOwnerOnly()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(demo.DemoJsonPath));
    }

    [Fact]
    public async Task Demo_ScopedClientKey_CannotManageKeys()
    {
        var baseUrl = new Uri(demo.DemoJson.GetProperty("baseUrl").GetString()!);
        using var client = new BulwarkClient(baseUrl, demo.DemoJson.GetProperty("apiKey").GetString()!,
            ServerTrust.CaCertificateFile(demo.DemoJson.GetProperty("caCertPath").GetString()!));

        var ex = await Assert.ThrowsAsync<BulwarkApiException>(() => client.ListKeysAsync());

        Assert.Equal(403, ex.StatusCode);
        Assert.Equal("auth.forbidden", ex.Code);
    }

    [Fact]
    public void Demo_FirstRun_PrintsUrlFingerprintCurlAndAdminKeyOnce()
    {
        var stdout = demo.FirstRun.Stdout;
        var admin = demo.DemoJson.GetProperty("adminApiKey").GetString()!;
        var apiKey = demo.DemoJson.GetProperty("apiKey").GetString()!;

        Assert.Contains(demo.DemoJson.GetProperty("baseUrl").GetString()!, stdout, StringComparison.Ordinal);
        Assert.Matches("SHA-256: ([0-9A-F]{2}:){31}[0-9A-F]{2}", stdout);
        Assert.Contains($"curl --cacert {demo.DemoJson.GetProperty("caCertPath").GetString()} -H 'Authorization: ApiKey {apiKey}'", stdout, StringComparison.Ordinal);
        Assert.Contains("\"mean_radius\":17.99", stdout, StringComparison.Ordinal);
        Assert.Contains("/v1/models/breast-cancer:predict", stdout, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(stdout, admin));
        Assert.Contains("accuracy", stdout, StringComparison.OrdinalIgnoreCase); // hold-out metrics table
    }

    [Fact]
    public async Task AuditVerify_AgainstRunningDemo_ExitsZero()
    {
        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("audit", "verify", "--data-dir", demo.DataDir);

        Assert.True(exit == 0, stderr);
        Assert.Contains("audit chain valid", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditExport_VerifiesOfflineWithTheKey_AndAnEditedLineExitsTwo()
    {
        var dir = Path.Combine(Path.GetTempPath(), "bulwark-cli-audit-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var pem = Path.Combine(dir, "audit.pem");
            var export = Path.Combine(dir, "audit.jsonl");
            var keys = await CliRun.ExecuteAsync("audit", "keys", "--out", pem, "--data-dir", demo.DataDir);
            Assert.True(keys.Exit == 0, keys.Stderr);
            var exported = await CliRun.ExecuteAsync("audit", "export", "--out", export, "--data-dir", demo.DataDir);
            Assert.True(exported.Exit == 0, exported.Stderr);
            Assert.False(File.Exists(export + ".partial"));

            var valid = await CliRun.ExecuteAsync("audit", "verify", "--file", export, "--key", pem);
            Assert.True(valid.Exit == 0, valid.Stderr + valid.Stdout);
            Assert.Contains("audit export valid", valid.Stdout, StringComparison.Ordinal);

            var lines = await File.ReadAllLinesAsync(export);
            var i = Array.FindIndex(lines, l => l.StartsWith("{\"type\":\"event\",\"sequence\":3,", StringComparison.Ordinal));
            lines[i] = lines[i].Replace("\"success\"", "\"failure\"", StringComparison.Ordinal);
            await File.WriteAllLinesAsync(export, lines);
            var broken = await CliRun.ExecuteAsync("audit", "verify", "--file", export, "--key", pem);
            Assert.Equal(2, broken.Exit);
            Assert.Contains("BROKEN at sequence 3", broken.Stdout, StringComparison.Ordinal);

            var noKey = await CliRun.ExecuteAsync("audit", "verify", "--file", export);
            Assert.Equal(1, noKey.Exit);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task PredictVerb_WithDataDir_PrintsThePrediction()
    {
        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("predict", "breast-cancer", "--data", FirstRowRequest, "--data-dir", demo.DataDir);

        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("breast-cancer", doc.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task PredictVerb_NonFiniteNumber_ExitsThreeWithTheProblemCode()
    {
        var attack = FirstRowRequest.Replace("17.99", "1e309", StringComparison.Ordinal);

        var (exit, _, stderr) = await CliRun.ExecuteAsync("predict", "breast-cancer", "--data", attack, "--data-dir", demo.DataDir);

        Assert.Equal(3, exit);
        Assert.StartsWith("error: serving.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientVerb_WrongFingerprint_ExitsFourWithTlsError()
    {
        var (exit, _, stderr) = await CliRun.ExecuteAsync("key", "list", "--url", demo.DemoJson.GetProperty("baseUrl").GetString()!,
            "--api-key", demo.DemoJson.GetProperty("adminApiKey").GetString()!, "--fingerprint", new string('0', 64));

        Assert.Equal(4, exit);
        Assert.StartsWith("error: cli.tls:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientVerb_CaFileOfAnotherCertificate_ExitsFourWithTlsError()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Path);
        using var other = Bulwark.Server.Hosting.TlsCertificates.CreateSelfSigned(temp.Combine("other.pem"), temp.Combine("other.key"));

        var (exit, _, stderr) = await CliRun.ExecuteAsync("key", "list", "--url", demo.DemoJson.GetProperty("baseUrl").GetString()!,
            "--api-key", demo.DemoJson.GetProperty("adminApiKey").GetString()!, "--ca-cert", temp.Combine("other.pem"));

        Assert.Equal(4, exit);
        Assert.StartsWith("error: cli.tls:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientVerb_CorrectFingerprintPin_Connects()
    {
        using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(demo.DemoJson.GetProperty("caCertPath").GetString()!));

        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("key", "list", "--url", demo.DemoJson.GetProperty("baseUrl").GetString()!,
            "--api-key", demo.DemoJson.GetProperty("adminApiKey").GetString()!, "--fingerprint", ServerTrust.FormatFingerprint(cert));

        Assert.True(exit == 0, stderr);
        Assert.Contains("initial-admin", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientVerb_WrongApiKey_ExitsThreeUnauthenticated()
    {
        var (exit, _, stderr) = await CliRun.ExecuteAsync("key", "list", "--url", demo.DemoJson.GetProperty("baseUrl").GetString()!,
            "--api-key", "bwk_000000000000_notarealsecretnotarealsecretnotarealsecret0", "--ca-cert", demo.DemoJson.GetProperty("caCertPath").GetString()!);

        Assert.Equal(3, exit);
        Assert.StartsWith("error: auth.unauthenticated:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientVerb_NoTrustConfigured_RefusesTheSelfSignedCertificate()
    {
        var (exit, _, stderr) = await CliRun.ExecuteAsync("key", "list", "--url", demo.DemoJson.GetProperty("baseUrl").GetString()!,
            "--api-key", demo.DemoJson.GetProperty("adminApiKey").GetString()!);

        Assert.Equal(4, exit);
        Assert.StartsWith("error: cli.tls:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyVerbs_CreateListRevoke_RoundTripOverHttps()
    {
        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("key", "create", "--name", "cli-test", "--scope", "predict:breast-cancer",
            "--expires", "1d", "--data-dir", demo.DataDir);
        Assert.True(exit == 0, stderr);
        Assert.Contains("only time the key is shown", stderr, StringComparison.Ordinal);
        var prefix = stdout.Split(' ')[2];

        var list = await CliRun.ExecuteAsync("key", "list", "--data-dir", demo.DataDir);
        Assert.Equal(0, list.Exit);
        Assert.Contains(prefix, list.Stdout, StringComparison.Ordinal);

        var revoke = await CliRun.ExecuteAsync("key", "revoke", prefix, "--data-dir", demo.DataDir);
        Assert.True(revoke.Exit == 0, revoke.Stderr);
        var missing = await CliRun.ExecuteAsync("key", "revoke", "bwk_nosuchkey", "--data-dir", demo.DataDir);
        Assert.Equal(3, missing.Exit);
    }

    [Fact]
    public async Task ListVerbs_ShowTheDemoDatasetAndModel()
    {
        var datasets = await CliRun.ExecuteAsync("dataset", "list", "--data-dir", demo.DataDir);
        var models = await CliRun.ExecuteAsync("model", "list", "--data-dir", demo.DataDir);

        Assert.True(datasets.Exit == 0, datasets.Stderr);
        Assert.Contains("restricted", datasets.Stdout, StringComparison.Ordinal);
        Assert.True(models.Exit == 0, models.Stderr);
        Assert.Contains("production", models.Stdout, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
