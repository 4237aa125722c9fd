namespace Bulwark.Server.Hosting;

/// <summary>
/// Configuration sources, lowest precedence first: appsettings, &lt;data-dir&gt;/bulwark.json, the <c>--config</c> file,
/// environment variables (<c>BULWARK_Bulwark__DataDir</c> or <c>BULWARK__DATADIR</c>), then command-line flags.
/// </summary>
internal static class ServerConfiguration
{
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "Bulwark:DataDir",
        ["--port"] = "Bulwark:Server:Port",
        ["--address"] = "Bulwark:Server:Address",
        ["--config"] = "Bulwark:ConfigFile",
    };

    public static void Apply(ConfigurationManager configuration, string[] args)
    {
        // Our own host allow-list middleware enforces Bulwark:Server:AllowedHosts with a problem details answer.
        configuration.AddInMemoryCollection([new("AllowedHosts", "*")]);
        AddOverrides(configuration, args);

        if (configuration["Bulwark:DataDir"] is { Length: > 0 } dataDir)
        {
            configuration.AddJsonFile(Path.GetFullPath(Path.Combine(dataDir, "bulwark.json")), optional: true, reloadOnChange: false);
        }

        if (configuration["Bulwark:ConfigFile"] is { Length: > 0 } file)
        {
            if (!File.Exists(file))
            {
                throw new Core.Crypto.SecurityConfigurationException($"Configuration file '{file}' (--config) does not exist.");
            }

            configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        // Again, so environment and flags override the files.
        AddOverrides(configuration, args);
    }

    private static void AddOverrides(ConfigurationManager configuration, string[] args)
    {
        configuration.AddEnvironmentVariables("BULWARK_");
        configuration.AddCommandLine(args, SwitchMappings);
    }
}
