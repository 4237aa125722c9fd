using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Cli.Connection;

/// <summary>
/// <c>&lt;data-dir&gt;/demo.json</c>: what scripts need to drive a running demo. It holds secrets, so it is created with
/// mode 0600 (never written first and chmod-ed later, which would leave a window where others can read it).
/// </summary>
internal sealed record DemoFile(
    [property: JsonPropertyName("baseUrl")] string BaseUrl,
    [property: JsonPropertyName("apiKey")] string ApiKey,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("adminApiKey")] string AdminApiKey,
    [property: JsonPropertyName("caCertPath")] string CaCertPath)
{
    public const string FileName = "demo.json";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    public static DemoFile? TryRead(string dataDir) => TryReadFile(PathIn(dataDir));

    public void Write(string dataDir) => WriteTo(PathIn(dataDir));

    public static DemoFile? TryReadFile(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DemoFile>(File.ReadAllText(path), Options);
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"'{path}' is not a valid demo file: {ex.Message}", ex);
        }
    }

    public void WriteTo(string path)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        if (File.Exists(temp))
        {
            File.Delete(temp);
        }

        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, this, Options);
        }

        // Rename is atomic on POSIX: readers see the old or the new file, never half of one.
        File.Move(temp, path, overwrite: true);
    }
}
