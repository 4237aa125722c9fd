using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Bulwark.Client;
using Bulwark.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Bulwark.Cli.Commands.Serve;

/// <summary><c>bulwark serve</c>: runs the HTTPS API until SIGINT/SIGTERM, then shuts down cleanly.</summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir") { Description = "An initialised data directory (see 'bulwark init')", Required = true };
        var port = new Option<int?>("--port") { Description = "HTTPS port (default 8443; 0 picks a free one)" };
        var address = new Option<string?>("--address") { Description = "Listen address (default 127.0.0.1)" };
        var config = new Option<FileInfo?>("--config") { Description = "JSON configuration file (Bulwark:* keys)" };
        var command = new Command("serve", "Run the HTTPS API server") { dataDir, port, address, config };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var args = new List<string> { "--data-dir", parse.GetRequiredValue(dataDir).FullName };
            if (parse.GetValue(port) is { } p)
            {
                args.AddRange(["--port", p.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            if (parse.GetValue(address) is { } a)
            {
                args.AddRange(["--address", a]);
            }

            if (parse.GetValue(config) is { } c)
            {
                args.AddRange(["--config", c.FullName]);
            }

            await using var app = BulwarkServer.Build([.. args]);
            await app.StartAsync(ct);
            var certificate = app.Services.GetRequiredService<X509Certificate2>();
            console.Out.WriteLine($"Bulwark listening on {BulwarkServer.BoundUrl(app)} (Ctrl+C to stop)");
            console.Out.WriteLine($"TLS certificate SHA-256: {ServerTrust.FormatFingerprint(certificate)}");
            await WaitForStopAsync(app, ct);
            console.Out.WriteLine("Bulwark stopped");
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    /// <summary>Waits for a signal (the token) or a host-initiated stop, then stops the server gracefully.</summary>
    public static async Task WaitForStopAsync(WebApplication app, CancellationToken ct)
    {
        try
        {
            await app.WaitForShutdownAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // A signal is the normal way to stop: fall through to the graceful stop.
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(grace.Token);
    }
}
