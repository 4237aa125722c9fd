using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Core.Crypto;

/// <summary>
/// The on-disk master key file: the versioned 256-bit key-encryption keys and, since format /2, the key ring's metadata
/// (per-version state and creation time, the primary, the minimum decryption version, a pending destroy request).
/// The file must be readable by its owner only (mode 0600); anything wider refuses to load.
/// </summary>
/// <remarks>
/// Format /1 files (keys and primary only) still load: every version is enabled and the minimum version is 1. A /1 file is
/// rewritten as /2 the first time the ring changes (rotation, state change), never just by reading it.
/// </remarks>
internal sealed class MasterKeyFile
{
    public const string FormatV1 = "bulwark-master-key/1";
    public const string FormatId = "bulwark-master-key/2";

    [JsonPropertyName("format")]
    public string Format { get; set; } = FormatId;

    [JsonPropertyName("primary")]
    public string Primary { get; set; } = "";

    [JsonPropertyName("minimumVersion")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MinimumVersion { get; set; }

    [JsonPropertyName("pendingDestroy")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public KeyDestroyRequest? PendingDestroy { get; set; }

    [JsonPropertyName("keys")]
    public List<MasterKeyEntry> Keys { get; set; } = [];

    public static MasterKeyFile CreateNew(TimeProvider time)
    {
        var id = NewVersionId();
        return new MasterKeyFile
        {
            Primary = id,
            MinimumVersion = 1,
            Keys = [new MasterKeyEntry { Id = id, Version = 1, State = KeyVersionStates.Enabled, CreatedAt = time.GetUtcNow(), Material = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }],
        };
    }

    public static string NewVersionId() => "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>Writes the file with mode 0600 from the first byte (never world-readable, not even briefly).</summary>
    public void WriteTo(string path)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, MasterKeyJson.Default.MasterKeyFile);
        PrivateFile.WriteNew(path, json);
    }

    /// <summary>Replaces the file atomically (0600 temp file, fsync, rename): a crash leaves the old or the new file, never half of one.</summary>
    public void ReplaceAt(string path)
    {
        Format = FormatId;
        PrivateFile.Replace(path, JsonSerializer.SerializeToUtf8Bytes(this, MasterKeyJson.Default.MasterKeyFile));
    }

    public static MasterKeyFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new SecurityConfigurationException($"Master key file '{path}' does not exist. Run 'bulwark init --data-dir <dir>' first, or point Bulwark:MasterKeyFile at the key.");
        }

        PrivateFile.EnsureOwnerOnly(path, "Master key file");

        MasterKeyFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), MasterKeyJson.Default.MasterKeyFile);
        }
        catch (JsonException ex)
        {
            throw new SecurityConfigurationException($"Master key file '{path}' is not a valid Bulwark key file: {ex.Message}");
        }

        if (file is null || (file.Format != FormatId && file.Format != FormatV1) || file.Keys.Count == 0 || file.Keys.All(k => k.Id != file.Primary))
        {
            throw new SecurityConfigurationException($"Master key file '{path}' is not a valid '{FormatId}' (or '{FormatV1}') file (missing keys or primary).");
        }

        file.Normalize(path);
        return file;
    }

    // Fills in what /1 files do not carry and checks every key that is not destroyed.
    private void Normalize(string path)
    {
        MinimumVersion ??= 1;
        for (var i = 0; i < Keys.Count; i++)
        {
            var key = Keys[i];
            key.Version ??= i + 1;
            key.State ??= KeyVersionStates.Enabled;
            if (!KeyVersionStates.IsKnown(key.State) || string.IsNullOrEmpty(key.Id) || key.Id.Length > 64 || !key.Id.All(char.IsAsciiLetterOrDigit))
            {
                throw new SecurityConfigurationException($"Master key entry {i + 1} in '{path}' has an invalid id or state.");
            }

            if (key.State == KeyVersionStates.Destroyed)
            {
                continue;
            }

            byte[] material;
            try
            {
                material = Convert.FromBase64String(key.Material ?? "");
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

        if (Keys.Select(k => k.Id).Distinct(StringComparer.Ordinal).Count() != Keys.Count || Keys.Select(k => k.Version).Distinct().Count() != Keys.Count)
        {
            throw new SecurityConfigurationException($"Master key file '{path}' lists a key id or version twice.");
        }

        if (Keys.First(k => k.Id == Primary).State != KeyVersionStates.Enabled)
        {
            throw new SecurityConfigurationException($"Master key file '{path}' names primary '{Primary}', which is not enabled.");
        }
    }
}

internal sealed class MasterKeyEntry
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("version")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Version { get; set; }

    [JsonPropertyName("state")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? State { get; set; }

    [JsonPropertyName("createdAt")]
    public DateTimeOffset CreatedAt { get; set; }

    [JsonPropertyName("stateChangedAt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? StateChangedAt { get; set; }

    /// <summary>Base64 key material; absent once the version is destroyed.</summary>
    [JsonPropertyName("material")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Material { get; set; }
}

[JsonSerializable(typeof(MasterKeyFile))]
[JsonSerializable(typeof(KeyRingFile))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class MasterKeyJson : JsonSerializerContext;
