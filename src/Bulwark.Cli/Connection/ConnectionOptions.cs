using System.CommandLine;
using Bulwark.Client;

namespace Bulwark.Cli.Connection;

/// <summary>
/// The options every client verb shares: server URL, API key and how to trust the server's certificate. Each value
/// falls back to an environment variable, then (with <c>--data-dir</c>) to the demo's <c>demo.json</c>.
/// </summary>
internal sealed class ConnectionOptions
{
    public const string UrlVariable = "BULWARK_URL";
    public const string ApiKeyVariable = "BULWARK_API_KEY";
    public const string CaCertVariable = "BULWARK_CA_CERT";
    public const string FingerprintVariable = "BULWARK_FINGERPRINT";

    private readonly Option<string?> _url = new("--url") { Description = $"Server base URL, e.g. https://127.0.0.1:8443 (env {UrlVariable})" };
    private readonly Option<string?> _apiKey = new("--api-key") { Description = $"API key (env {ApiKeyVariable}; prefer the variable: command lines are visible to other users)" };
    private readonly Option<FileInfo?> _caCert = new("--ca-cert") { Description = $"Trust certificates chaining to this PEM CA/cert file (env {CaCertVariable})" };
    private readonly Option<string?> _fingerprint = new("--fingerprint") { Description = $"Pin the server certificate by SHA-256 fingerprint (env {FingerprintVariable})" };
    private readonly Option<DirectoryInfo?> _dataDir = new("--data-dir") { Description = "Read missing connection settings from <data-dir>/demo.json" };

    public static ConnectionOptions AddTo(Command command)
    {
        var options = new ConnectionOptions();
        command.Options.Add(options._url);
        command.Options.Add(options._apiKey);
        command.Options.Add(options._caCert);
        command.Options.Add(options._fingerprint);
        command.Options.Add(options._dataDir);
        return options;
    }

    /// <summary>Builds a client. <paramref name="forPrediction"/> prefers the demo's scoped client key over its admin key.</summary>
    public BulwarkClient CreateClient(ParseResult parse, bool forPrediction = false)
    {
        var dataDir = parse.GetValue(_dataDir);
        var demo = dataDir is null ? null : DemoFile.TryRead(dataDir.FullName)
            ?? throw new CliUsageException($"No {DemoFile.FileName} in '{dataDir.FullName}'. Run 'bulwark demo --data-dir {dataDir.FullName}' first.");

        var text = parse.GetValue(_url) ?? Environment.GetEnvironmentVariable(UrlVariable) ?? demo?.BaseUrl;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliUsageException($"No server URL: pass --url or set {UrlVariable}.");
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
        {
            throw new CliUsageException($"The server URL must be https:// (got '{url}'). Bulwark speaks HTTPS only.");
        }

        var demoKey = demo is null ? null : forPrediction ? demo.ApiKey : demo.AdminApiKey;
        var apiKey = parse.GetValue(_apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable) ?? demoKey;
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            throw new CliUsageException($"No API key: set {ApiKeyVariable} or pass --api-key.");
        }

        return new BulwarkClient(url, apiKey, ResolveTrust(parse, demo));
    }

    private ServerTrust ResolveTrust(ParseResult parse, DemoFile? demo)
    {
        var fingerprint = parse.GetValue(_fingerprint);
        var caCert = parse.GetValue(_caCert)?.FullName;
        if (fingerprint is not null && caCert is not null)
        {
            throw new CliUsageException("Pass either --fingerprint or --ca-cert, not both.");
        }

        if (fingerprint is null && caCert is null)
        {
            fingerprint = Environment.GetEnvironmentVariable(FingerprintVariable);
            caCert = Environment.GetEnvironmentVariable(CaCertVariable) ?? demo?.CaCertPath;
            if (!string.IsNullOrEmpty(fingerprint))
            {
                caCert = null;
            }
        }

        try
        {
            if (!string.IsNullOrWhiteSpace(fingerprint))
            {
                return ServerTrust.Fingerprint(fingerprint);
            }

            if (!string.IsNullOrWhiteSpace(caCert))
            {
                if (!File.Exists(caCert))
                {
                    throw new CliUsageException($"CA certificate file '{caCert}' does not exist.");
                }

                return ServerTrust.CaCertificateFile(caCert);
            }
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException(ex.Message, ex);
        }

        // No pin and no CA: only the system trust store, which a self-signed Bulwark certificate will fail. That is the
        // right default; the error message tells the user which flag to add.
        return ServerTrust.SystemDefault;
    }
}
