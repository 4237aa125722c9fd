using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Core.Crypto;

/// <summary>
/// The on-disk master key file: a versioned set of 256-bit key-encryption keys with one primary.
/// The file must be readable by its owner only (mode 0600); anything wider refuses to load.
/// </summary>
internal sealed class MasterKeyFile
{
    public const string FormatId = "bulwark-master-key/1";

    [JsonPropertyName("format")]
    public string Format { get; set; } = FormatId;

    [JsonPropertyName("primary")]
    public string Primary { get; set; } = "";

    [JsonPropertyName("keys")]
    public List<MasterKeyEntry> Keys { get; set; } = [];

    public static MasterKeyFile CreateNew(TimeProvider time)
    {
        var id = "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        return new MasterKeyFile
        {
            Primary = id,
            Keys = [new MasterKeyEntry { Id = id, CreatedAt = time.GetUtcNow(), Material = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }],
        };
    }

    /// <summary>Writes the file with mode 0600 from the first byte (never world-readable, not even briefly).</summary>
    public void WriteTo(string path)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, MasterKeyJson.Default.MasterKeyFile);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(json);
        stream.Flush(flushToDisk: true);
    }

    public static MasterKeyFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new SecurityConfigurationException($"Master key file '{path}' does not exist. Run 'bulwark init --data-dir <dir>' first, or point Bulwark:MasterKeyFile at the key.");
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode tooWide = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & tooWide) != 0)
            {
                throw new SecurityConfigurationException($"Master key file '{path}' is accessible by group or others (mode {Convert.ToString((int)mode, 8)}). Fix it with: chmod 600 '{path}'.");
            }
        }

        MasterKeyFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), MasterKeyJson.Default.MasterKeyFile);
        }
        catch (JsonException ex)
        {
            throw new SecurityConfigurationException($"Master key file '{path}' is not a valid Bulwark key file: {ex.Message}");
        }

        if (file is null || file.Format != FormatId || file.Keys.Count == 0 || file.Keys.All(k => k.Id != file.Primary))
        {
            throw new SecurityConfigurationException($"Master key file '{path}' is not a valid '{FormatId}' file (missing keys or primary).");
        }

        foreach (var key in file.Keys)
        {
            byte[] material;
            try
            {
                material = Convert.FromBase64String(key.Material);
            }
            catch (FormatException)
            {
                throw new SecurityConfigurationException($"Master key '{key.Id}' in '{path}' is not valid base64.");
            }

            if (material.Length < 32)
            {
                throw new SecurityConfigurationException($"Master key '{key.Id}' in '{path}' is {material.Length * 8} bits; at least 256 bits are required.");
            }

            CryptographicOperations.ZeroMemory(material);
        }

        return file;
    }
}

internal sealed class MasterKeyEntry
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("createdAt")]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonPropertyName("material")]
    public string Material { get; set; } = "";
}

[JsonSerializable(typeof(MasterKeyFile))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class MasterKeyJson : JsonSerializerContext;
