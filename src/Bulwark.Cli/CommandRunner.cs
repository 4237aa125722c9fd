using System.Net.Sockets;
using System.Security.Authentication;
using Bulwark.Client;
using Bulwark.Core.Crypto;

namespace Bulwark.Cli;

/// <summary>
/// Runs a command body and maps every failure to one <c>error: code: detail</c> line and an exit code. No stack trace
/// ever reaches the user: details that help are in the message, the rest would only leak internals.
/// </summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(CliConsole console, Func<Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            return await body();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.WriteError("cli.cancelled", "cancelled");
            return 130;
        }
        catch (CliUsageException ex)
        {
            console.WriteError("cli.usage", ex.Message);
            return ExitCodes.Usage;
        }
        catch (BulwarkApiException ex)
        {
            console.WriteError(ex.Code ?? $"http.{ex.StatusCode}", ex.Detail ?? ex.Title ?? ex.Message);
            return ExitCodes.ApiError;
        }
        catch (HttpRequestException ex) when (FindInner<AuthenticationException>(ex) is { } tls)
        {
            console.WriteError("cli.tls", $"the server's TLS certificate was not trusted or the handshake failed ({tls.Message}). Check --fingerprint / --ca-cert.");
            return ExitCodes.ConnectionError;
        }
        catch (HttpRequestException ex)
        {
            var socket = FindInner<SocketException>(ex);
            console.WriteError("cli.connection", socket is null ? ex.Message : $"{ex.Message} ({socket.SocketErrorCode})");
            return ExitCodes.ConnectionError;
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            console.WriteError("cli.timeout", $"the server did not answer in time ({ex.Message})");
            return ExitCodes.ConnectionError;
        }
        catch (SecurityConfigurationException ex)
        {
            console.WriteError("config.invalid", ex.Message);
            return ExitCodes.Usage;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or FormatException)
        {
            console.WriteError("cli.error", ex.Message);
            return ExitCodes.Usage;
        }
    }

    private static T? FindInner<T>(Exception ex)
        where T : Exception
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }
}
