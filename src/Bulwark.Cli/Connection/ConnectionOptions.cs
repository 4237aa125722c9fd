using System.CommandLine;
using Bulwark.Client;
using Bulwark.Client.Contracts;

namespace Bulwark.Cli.Connection;

/// <summary>
/// The options every client verb shares: server URL, credential, project and how to trust the server's certificate.
/// Credentials, first found wins: <c>--api-key</c>, <c>BULWARK_API_KEY</c>, <c>BULWARK_TOKEN</c> (a raw access token), the
/// session of <c>bulwark login</c> (only for the server it was issued by), then (with <c>--data-dir</c>) the demo's
/// <c>demo.json</c>. Server and trust settings fall back the same way.
/// </summary>
internal sealed class ConnectionOptions
{
    public const string UrlVariable = "BULWARK_URL";
    public const string ApiKeyVariable = "BULWARK_API_KEY";
    public const string CaCertVariable = "BULWARK_CA_CERT";
    public const string FingerprintVariable = "BULWARK_FINGERPRINT";
    public const string TokenVariable = "BULWARK_TOKEN";
    public const string ProjectVariable = "BULWARK_PROJECT";

    /// <summary>Refresh the session's access token when it has less than this left.</summary>
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(30);

    private readonly Option<string?> _url = new("--url") { Description = $"Server base URL, e.g. https://127.0.0.1:8443 (env {UrlVariable})" };
    private readonly Option<string?> _apiKey = new("--api-key") { Description = $"API key (env {ApiKeyVariable}; prefer the variable: command lines are visible to other users)" };
    private readonly Option<FileInfo?> _caCert = new("--ca-cert") { Description = $"Trust certificates chaining to this PEM CA/cert file (env {CaCertVariable})" };
    private readonly Option<string?> _fingerprint = new("--fingerprint") { Description = $"Pin the server certificate by SHA-256 fingerprint (env {FingerprintVariable})" };
    private readonly Option<DirectoryInfo?> _dataDir = new("--data-dir") { Description = "Read missing connection settings from <data-dir>/demo.json" };
    private readonly Option<string?> _project = new("--project") { Description = $"Project to act in (the Bulwark-Project header; env {ProjectVariable})" };
    private bool _withProject = true;

    /// <summary>
    /// Adds the shared options to <paramref name="command"/>. <paramref name="withProject"/> false leaves out <c>--project</c>
    /// for instance-wide verbs (users), where the server ignores the header and the verb's own <c>--project</c> names
    /// the project of a grant instead.
    /// </summary>
    public static ConnectionOptions AddTo(Command command, bool withProject = true)
    {
        var options = new ConnectionOptions { _withProject = withProject };
        command.Options.Add(options._url);
        command.Options.Add(options._apiKey);
        command.Options.Add(options._caCert);
        command.Options.Add(options._fingerprint);
        command.Options.Add(options._dataDir);
        if (withProject)
        {
            command.Options.Add(options._project);
        }

        return options;
    }

    /// <summary>The server and how to trust it, without a credential (for signing in).</summary>
    public (Uri Url, ServerTrust Trust, string? Fingerprint, string? CaCert) ResolveServer(ParseResult parse)
    {
        var dataDir = parse.GetValue(_dataDir);
        var demo = dataDir is null ? null : DemoFile.TryRead(dataDir.FullName);
        var session = SessionFile.TryRead(SessionFile.DefaultPath());
        var url = ParseUrl(parse.GetValue(_url) ?? Environment.GetEnvironmentVariable(UrlVariable) ?? demo?.BaseUrl ?? session?.BaseUrl);
        var (trust, fingerprint, caCert) = ResolveTrust(parse, demo, session);
        return (url, trust, fingerprint, caCert);
    }

    /// <summary>Builds a client. <paramref name="forPrediction"/> prefers the demo's scoped client key over its admin key.</summary>
    public BulwarkClient CreateClient(ParseResult parse, bool forPrediction = false)
    {
        var dataDir = parse.GetValue(_dataDir);
        var demo = dataDir is null ? null : DemoFile.TryRead(dataDir.FullName)
            ?? throw new CliUsageException($"No {DemoFile.FileName} in '{dataDir.FullName}'. Run 'bulwark demo --data-dir {dataDir.FullName}' first.");

        var sessionPath = SessionFile.DefaultPath();
        var session = SessionFile.TryRead(sessionPath);
        var url = ParseUrl(parse.GetValue(_url) ?? Environment.GetEnvironmentVariable(UrlVariable) ?? demo?.BaseUrl ?? session?.BaseUrl);
        var (trust, _, _) = ResolveTrust(parse, demo, session);
        var project = _withProject ? parse.GetValue(_project) ?? Environment.GetEnvironmentVariable(ProjectVariable) : null;

        BulwarkClient client;
        var demoKey = demo is null ? null : forPrediction ? demo.ApiKey : demo.AdminApiKey;
        var apiKey = parse.GetValue(_apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            client = new BulwarkClient(url, apiKey, trust);
        }
        else if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token)
        {
            client = BulwarkClient.ForAccessToken(url, token, trust);
        }
        else if (session is not null && string.Equals(session.BaseUrl.TrimEnd('/'), url.ToString().TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
        {
            // Only for the server it was issued by: a session must never be sent to whatever --url names.
            client = BulwarkClient.ForAccessToken(url, FreshAccessToken(session, sessionPath, url, trust), trust);
        }
        else if (!string.IsNullOrWhiteSpace(demoKey))
        {
            client = new BulwarkClient(url, demoKey, trust);
        }
        else
        {
            throw new CliUsageException($"No credential: run 'bulwark login', set {ApiKeyVariable} (or {TokenVariable}), or pass --api-key.");
        }

        client.Project = project;
        return client;
    }

    /// <summary>The session's access token, refreshed (and the file rewritten) when it is about to expire.</summary>
    private static string FreshAccessToken(SessionFile session, string path, Uri url, ServerTrust trust)
    {
        if (session.AccessTokenExpiresAt - TimeProvider.System.GetUtcNow() > RefreshMargin)
        {
            return session.AccessToken;
        }

        using var anonymous = BulwarkClient.Anonymous(url, trust);
        try
        {
            var refreshed = anonymous.RefreshAsync(session.RefreshToken).GetAwaiter().GetResult();
            (session with { AccessToken = refreshed.AccessToken, AccessTokenExpiresAt = refreshed.ExpiresAt, RefreshToken = refreshed.RefreshToken }).WriteTo(path);
            return refreshed.AccessToken;
        }
        catch (BulwarkApiException ex) when (ex.StatusCode is 400 or 401 || ex.Code == ErrorCodes.RefreshInvalid)
        {
            throw new CliUsageException("Your session has ended (expired or revoked); run 'bulwark login' again.", ex);
        }
    }

    private static Uri ParseUrl(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new CliUsageException($"No server URL: pass --url or set {UrlVariable}.");
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
        {
            throw new CliUsageException($"The server URL must be https:// (got '{text.Trim()}'). Bulwark speaks HTTPS only.");
        }

        return url;
    }

    private (ServerTrust Trust, string? Fingerprint, string? CaCert) ResolveTrust(ParseResult parse, DemoFile? demo, SessionFile? session)
    {
        var fingerprint = parse.GetValue(_fingerprint);
        var caCert = parse.GetValue(_caCert)?.FullName;
        if (fingerprint is not null && caCert is not null)
        {
            throw new CliUsageException("Pass either --fingerprint or --ca-cert, not both.");
        }

        if (fingerprint is null && caCert is null)
        {
            fingerprint = Environment.GetEnvironmentVariable(FingerprintVariable) ?? (demo is null ? session?.Fingerprint : null);
            caCert = Environment.GetEnvironmentVariable(CaCertVariable) ?? demo?.CaCertPath ?? session?.CaCertPath;
            if (!string.IsNullOrEmpty(fingerprint))
            {
                caCert = null;
            }
        }

        try
        {
            if (!string.IsNullOrWhiteSpace(fingerprint))
            {
                return (ServerTrust.Fingerprint(fingerprint), fingerprint, null);
            }

            if (!string.IsNullOrWhiteSpace(caCert))
            {
                if (!File.Exists(caCert))
                {
                    throw new CliUsageException($"CA certificate file '{caCert}' does not exist.");
                }

                return (ServerTrust.CaCertificateFile(caCert), null, Path.GetFullPath(caCert));
            }
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException(ex.Message, ex);
        }

        // No pin and no CA: only the system trust store, which a self-signed Bulwark certificate will fail. That is the
        // right default; the error message tells the user which flag to add.
        return (ServerTrust.SystemDefault, null, null);
    }
}
