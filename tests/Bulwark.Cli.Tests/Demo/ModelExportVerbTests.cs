using System.Text.Json;

namespace Bulwark.Cli.Tests.Demo;

/// <summary>
/// The round trip a user makes: fetch the signing key once, export a version from the running demo, then verify the
/// folder offline with the CLI alone.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class ModelExportVerbTests(DemoFixture demo)
{
    [Fact]
    public async Task SigningKeyExportThenOfflineVerify_Succeeds_AndATamperedCopyFails()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Path);
        var key = temp.Combine("signing-key.pem");
        var dir = temp.Combine("exported");

        var fetched = await CliRun.ExecuteAsync("model", "signing-key", "--out", key, "--data-dir", demo.DataDir);
        Assert.True(fetched.Exit == 0, fetched.Stderr);
        var exported = await CliRun.ExecuteAsync("model", "export", "breast-cancer", "1", "--out", dir, "--data-dir", demo.DataDir);
        Assert.True(exported.Exit == 0, exported.Stderr);
        Assert.Contains("bulwark model verify", exported.Stdout, StringComparison.Ordinal);

        var verified = await CliRun.ExecuteAsync("model", "verify", dir, "--key", key);
        Assert.True(verified.Exit == 0, verified.Stderr + verified.Stdout);
        Assert.Contains("model verified: breast-cancer version 1", verified.Stdout, StringComparison.Ordinal);

        var model = Directory.GetFiles(dir).Single(f => Path.GetFileName(f) is "model.zip" or "model.onnx");
        var bytes = await File.ReadAllBytesAsync(model);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(model, bytes);
        var tampered = await CliRun.ExecuteAsync("model", "verify", dir, "--key", key);
        Assert.Equal(2, tampered.Exit);
    }

    [Fact]
    public async Task Export_IntoNonEmptyFolder_RefusedBeforeDownloading()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Path);
        await File.WriteAllTextAsync(temp.Combine("stray.py"), "print('hi')");

        var (exit, _, stderr) = await CliRun.ExecuteAsync("model", "export", "breast-cancer", "1", "--out", temp.Path, "--data-dir", demo.DataDir);

        Assert.Equal(1, exit);
        Assert.Contains("not empty", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bom_PrintsCycloneDx()
    {
        var (exit, stdout, stderr) = await CliRun.ExecuteAsync("model", "bom", "breast-cancer", "1", "--data-dir", demo.DataDir);

        Assert.True(exit == 0, stderr);
        using var bom = JsonDocument.Parse(stdout);
        Assert.Equal("CycloneDX", bom.RootElement.GetProperty("bomFormat").GetString());
        Assert.Equal("machine-learning-model", bom.RootElement.GetProperty("metadata").GetProperty("component").GetProperty("type").GetString());
    }
}
