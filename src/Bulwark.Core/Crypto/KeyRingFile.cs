using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Core.Crypto;

/// <summary>
/// The key ring's metadata kept beside the data (<c>&lt;data-dir&gt;/keyring.json</c>, mode 0600) when the key material
/// lives outside Bulwark's key file (environment variable, HSM). It holds no key material.
/// </summary>
internal sealed class KeyRingFile
{
    public const string FormatId = "bulwark-key-ring/1";

    [JsonPropertyName("format")]
    public string Format { get; set; } = FormatId;

    [JsonPropertyName("provider")]
    public string Provider { get; set; } = "";

    [JsonPropertyName("primary")]
    public string Primary { get; set; } = "";

    [JsonPropertyName("minimumVersion")]
    public int MinimumVersion { get; set; } = 1;

    [JsonPropertyName("pendingDestroy")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public KeyDestroyRequest? PendingDestroy { get; set; }

    [JsonPropertyName("versions")]
    public List<MasterKeyEntry> Versions { get; set; } = [];

    public static KeyRingFile? Load(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        PrivateFile.EnsureOwnerOnly(path, "Key ring file");
        KeyRingFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), MasterKeyJson.Default.KeyRingFile);
        }
        catch (JsonException ex)
        {
            throw new SecurityConfigurationException($"Key ring file '{path}' is not valid: {ex.Message}");
        }

        if (file is null || file.Format != FormatId || file.Versions.Any(v => v.Version is null || v.State is null || !KeyVersionStates.IsKnown(v.State) || v.Material is not null))
        {
            throw new SecurityConfigurationException($"Key ring file '{path}' is not a valid '{FormatId}' file.");
        }

        return file;
    }

    public void Save(string path) => PrivateFile.Replace(path, JsonSerializer.SerializeToUtf8Bytes(this, MasterKeyJson.Default.KeyRingFile));
}
