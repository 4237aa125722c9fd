using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Bulwark.Cli.Connection;
using Bulwark.Core.Registry;

namespace Bulwark.Cli.Commands.Models;

/// <summary>
/// <c>bulwark model export|verify|signing-key|bom</c>. <c>verify</c> needs no server: it checks a model folder against an
/// OpenSSF model-signing bundle and a public key you already trust, and exits 2 when anything differs.
/// </summary>
internal static class ModelArtifactCommands
{
    /// <summary>Caps on an export being unpacked: a hostile or broken zip must not fill the disk.</summary>
    private const long MaxExtractedBytes = 8L * 1024 * 1024 * 1024;
    private const int MaxEntries = 10_000;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void AddTo(Command model, CliConsole console)
    {
        model.Subcommands.Add(Export(console));
        model.Subcommands.Add(Verify(console));
        model.Subcommands.Add(SigningKey(console));
        model.Subcommands.Add(Bom(console));
    }

    private static Command Export(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var version = new Argument<int>("VERSION") { Description = "Version number" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to create (must not exist or be empty)", Required = true };
        var command = new Command("export", "Download a version's files and signature (model.sig) into a folder; needs models:export, audited")
        {
            name, version, output,
        };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var folder = parse.GetRequiredValue(output);
            if (folder.Exists && folder.EnumerateFileSystemInfos().Any())
            {
                throw new CliUsageException($"'{folder.FullName}' is not empty: export into a new folder, so no stray file ends up next to the model.");
            }

            using var client = connection.CreateClient(parse);
            await using var zip = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            await client.ExportModelAsync(parse.GetRequiredValue(name), parse.GetValue(version), zip, ct);
            zip.Position = 0;
            folder.Create();
            var files = await ExtractAsync(zip, folder, ct);
            var signature = Path.Combine(folder.FullName, ModelManifest.SignatureFileName);
            console.Out.WriteLine(TerminalText.Sanitize(string.Create(CultureInfo.InvariantCulture, $"wrote {files} files to {folder.FullName}")));
            console.Out.WriteLine(TerminalText.Sanitize($"verify offline with: bulwark model verify {folder.FullName} --signature {signature} --key signing-key.pem"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Verify(CliConsole console)
    {
        var folder = new Argument<DirectoryInfo>("DIR") { Description = "The model folder" };
        var signature = new Option<FileInfo>("--signature") { Description = "OpenSSF model-signing bundle (default DIR/model.sig)" };
        var key = new Option<FileInfo>("--key") { Description = "The signer's public key you trust (PEM, P-256), obtained outside this folder", Required = true };
        var command = new Command("verify", "Verify a model folder offline: signature by the trusted key, then every file's digest; exit 2 on any mismatch")
        {
            folder, signature, key,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var dir = parse.GetRequiredValue(folder);
            var bundle = parse.GetValue(signature) ?? new FileInfo(Path.Combine(dir.FullName, ModelManifest.SignatureFileName));
            var keyFile = parse.GetRequiredValue(key);
            foreach (var f in new[] { bundle, keyFile })
            {
                if (!f.Exists)
                {
                    throw new CliUsageException($"File '{f.FullName}' does not exist.");
                }
            }

            if (bundle.Length > OmsBundle.MaxBytes || keyFile.Length > 64 * 1024)
            {
                throw new CliUsageException("The signature or key file is too large to be one.");
            }

            var result = ModelDirectoryVerifier.Verify(dir.FullName, await File.ReadAllBytesAsync(bundle.FullName, ct),
                await File.ReadAllTextAsync(keyFile.FullName, ct), bundle.FullName);
            if (!result.Valid)
            {
                console.Out.WriteLine("model verification FAILED");
                console.WriteError(result.Code!, TerminalText.Sanitize(result.Detail));
                return ExitCodes.VerificationFailed;
            }

            var what = result.Content is { } c ? $"{c.Model} version {c.Version}" : result.Statement!.SubjectName;
            console.Out.WriteLine(TerminalText.Sanitize($"model verified: {what}, {result.Detail}"));
            if (result.Content?.ExternalSigner is { } external)
            {
                console.Out.WriteLine(TerminalText.Sanitize($"imported with a signature by trusted external key {external}"));
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command SigningKey(CliConsole console)
    {
        var output = new Option<FileInfo?>("--out") { Description = "Write the PEM to this file instead of printing it" };
        var command = new Command("signing-key", "The public key that signs model versions (PEM), for offline verification") { output };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var key = await client.GetModelSigningKeyAsync(ct);
            if (!SignerKey.TryRead(key.PublicKeyPem, out var spki, out var error) || OmsBundle.HintOf(spki) != key.PublicKeyHint)
            {
                throw new CliUsageException($"The server sent an unusable signing key ({error}).");
            }

            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, key.PublicKeyPem + "\n", ct);
                console.Out.WriteLine(TerminalText.Sanitize($"wrote {file.FullName} (key id {key.KeyId}, OMS hint {key.PublicKeyHint})"));
            }
            else
            {
                console.Out.WriteLine(key.PublicKeyPem);
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Bom(CliConsole console)
    {
        var name = new Argument<string>("NAME") { Description = "Model name" };
        var version = new Argument<int>("VERSION") { Description = "Version number" };
        var output = new Option<FileInfo?>("--out") { Description = "Write the BOM to this file instead of printing it" };
        var command = new Command("bom", "A version's AI bill of materials (CycloneDX 1.6 JSON), from its signed manifest") { name, version, output };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var bom = Reformat(await client.GetModelBomAsync(parse.GetRequiredValue(name), parse.GetValue(version), ct));
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, bom, ct);
                console.Out.WriteLine(TerminalText.Sanitize($"wrote {file.FullName}"));
            }
            else
            {
                console.Out.WriteLine(bom);
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    /// <summary>
    /// Parses and rewrites the server's JSON: whatever it sent, what reaches the terminal or the file is valid JSON with
    /// every control and non-ASCII character escaped, so no escape sequence from a hostile server is printed raw.
    /// </summary>
    private static string Reformat(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(doc.RootElement, Indented);
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"The server sent a BOM that is not JSON ({ex.Message}).", ex);
        }
    }

    /// <summary>
    /// Unpacks the export: only plain relative names, no directories or links, new files only, within size and count caps.
    /// The zip is not trusted just because it came over TLS: whoever controls the server could send anything.
    /// </summary>
    private static async Task<int> ExtractAsync(Stream zip, DirectoryInfo folder, CancellationToken ct)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        if (archive.Entries.Count > MaxEntries)
        {
            throw new CliUsageException($"The export holds more than {MaxEntries} entries.");
        }

        long total = 0;
        var buffer = new byte[1 << 16];
        foreach (var entry in archive.Entries)
        {
            if (!ResourcePath.IsSafe(entry.FullName) || entry.FullName.Contains('/', StringComparison.Ordinal))
            {
                throw new CliUsageException($"The export holds an entry with an unsafe name ('{TerminalText.Sanitize(entry.FullName)}'); nothing more was written.");
            }

            var path = Path.Combine(folder.FullName, entry.FullName);
            await using var source = await entry.OpenAsync(ct);
            await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                total += read;
                if (total > MaxExtractedBytes)
                {
                    throw new CliUsageException($"The export unpacks to more than {MaxExtractedBytes} bytes.");
                }

                await target.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }

        return archive.Entries.Count;
    }
}
