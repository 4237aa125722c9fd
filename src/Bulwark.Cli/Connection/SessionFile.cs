using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Cli.Connection;

/// <summary>
/// The signed-in session of <c>bulwark login</c>, like <c>~/.vault-token</c>: server, how to trust it, and the tokens.
/// It holds credentials, so it is created with mode 0600 in a 0700 directory and replaced atomically.
/// </summary>
internal sealed record SessionFile(
    [property: JsonPropertyName("baseUrl")] string BaseUrl,
    [property: JsonPropertyName("fingerprint")] string? Fingerprint,
    [property: JsonPropertyName("caCertPath")] string? CaCertPath,
    [property: JsonPropertyName("login")] string Login,
    [property: JsonPropertyName("accessToken")] string AccessToken,
    [property: JsonPropertyName("accessTokenExpiresAt")] DateTimeOffset AccessTokenExpiresAt,
    [property: JsonPropertyName("refreshToken")] string RefreshToken)
{
    public const string PathVariable = "BULWARK_SESSION_FILE";
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary><c>$BULWARK_SESSION_FILE</c>, else <c>$XDG_CONFIG_HOME/bulwark/session.json</c>, else <c>~/.config/bulwark/session.json</c>.</summary>
    public static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "bulwark", "session.json");
    }

    public static SessionFile? TryRead(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<SessionFile>(File.ReadAllText(path), Options);
        }
        catch (JsonException ex)
        {
            throw new CliUsageException($"'{path}' is not a valid session file ({ex.Message}); run 'bulwark login' again.", ex);
        }
    }

    public void WriteTo(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

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

        File.Move(temp, path, overwrite: true);
    }
}
