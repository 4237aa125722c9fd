using System.Text.RegularExpressions;

namespace Bulwark.Cli.Tests.Serve;

/// <summary>What <c>bulwark init</c> and <c>bulwark serve</c> print that tests read back: the admin secrets and the URL.</summary>
internal static partial class ServeOutput
{
    public static string AdminKey(string initStdout) => AdminKeyLine().Match(initStdout).Groups[1].Value;

    public static string AdminPassword(string initStdout) => AdminPasswordLine().Match(initStdout).Groups[1].Value;

    /// <summary>The https URL <c>serve</c> announces once it listens; fails if it exits first.</summary>
    public static async Task<string> WaitForUrlAsync(CliRun serve, Task<int> run)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var match = ListeningOn().Match(serve.Stdout);
            if (match.Success)
            {
                return match.Groups[1].Value;
            }

            Assert.False(run.IsCompleted, $"serve exited early: {serve.Stderr}");
            await Task.Delay(50, timeout.Token);
        }
    }

    [GeneratedRegex(@"^Admin API key.*\n\s*\n\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AdminKeyLine();

    [GeneratedRegex(@"^Admin user 'admin', password.*\n\s*\n\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AdminPasswordLine();

    [GeneratedRegex(@"listening on (https://\S+)")]
    private static partial Regex ListeningOn();
}
