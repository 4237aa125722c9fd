using Bulwark.Cli.Connection;
using Bulwark.Cli.Tests.Serve;

namespace Bulwark.Cli.Tests.Identity;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SessionFileCollection
{
    /// <summary>These tests set BULWARK_SESSION_FILE, which is process-wide: nothing else may run meanwhile.</summary>
    public const string Name = "session file";
}

/// <summary><c>bulwark user create</c>, <c>login</c>, <c>whoami</c>, <c>--project</c> and <c>logout</c> against a real server.</summary>
[Collection(SessionFileCollection.Name)]
public sealed partial class LoginCommandTests
{
    private const string Password = "velvet-compass-harbor-lilac-93";

    [Fact]
    public async Task UserCreateLoginWhoamiProjectLogout_EndToEnd()
    {
        using var temp = new TempDirectory();
        var dataDir = temp.Combine("data");
        var init = await CliRun.ExecuteAsync("init", "--data-dir", dataDir);
        Assert.Equal(0, init.Exit);
        var adminKey = ServeOutput.AdminKey(init.Stdout);
        var serve = new CliRun();
        using var stop = new CancellationTokenSource();
        var run = serve.RunAsync(["serve", "--data-dir", dataDir, "--port", "0"], stop.Token);
        var url = await ServeOutput.WaitForUrlAsync(serve, run);
        string[] server = ["--url", url, "--ca-cert", Path.Combine(dataDir, "tls", "cert.pem")];
        var sessionPath = temp.Combine("config", "session.json");
        Environment.SetEnvironmentVariable("BULWARK_SESSION_FILE", sessionPath);
        try
        {
            // A weak password is refused, and the CLI says why and how to do better.
            var weak = await CliRun.ExecuteWithInputAsync("password1234567\n", ["user", "create", "--login", "dana", "--name", "Dana", "--password-stdin", "--api-key", adminKey, .. server]);
            Assert.Equal(3, weak.Exit);
            Assert.Contains("error: password.", weak.Stderr, StringComparison.Ordinal);
            Assert.Matches(@"strength: \d/4 \(about 10\^[\d.]+ guesses\)", weak.Stderr);
            Assert.Contains("profile: nist-800-63b", weak.Stderr, StringComparison.Ordinal);
            Assert.Contains("try: ", weak.Stderr, StringComparison.Ordinal);

            var created = await CliRun.ExecuteWithInputAsync(Password + "\n", ["user", "create", "--login", "dana", "--name", "Dana", "--role", "default:data-scientist",
                "--password-stdin", "--api-key", adminKey, .. server]);
            Assert.True(created.Exit == 0, created.Stderr);

            var login = await CliRun.ExecuteWithInputAsync(Password + "\n", ["login", "--user", "dana", "--password-stdin", .. server]);
            Assert.True(login.Exit == 0, login.Stderr);
            Assert.Contains("Signed in as dana", login.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("eyJ", login.Stdout, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sessionPath));
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(temp.Combine("config")) & (UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute));

            // The session goes only to the server that issued it, never to whatever --url names.
            var otherServer = await CliRun.ExecuteAsync("whoami", "--url", "https://127.0.0.1:1", "--fingerprint", new string('A', 64));
            Assert.Equal(1, otherServer.Exit);
            Assert.Contains("No credential", otherServer.Stderr, StringComparison.Ordinal);

            var whoami = await CliRun.ExecuteAsync(["whoami", .. server]);
            Assert.True(whoami.Exit == 0, whoami.Stderr);
            Assert.Contains("dana (user", whoami.Stdout, StringComparison.Ordinal);
            Assert.Contains("default:data-scientist", whoami.Stdout, StringComparison.Ordinal);

            var elsewhere = await CliRun.ExecuteAsync(["dataset", "list", "--project", "other", .. server]);
            Assert.Equal(3, elsewhere.Exit);
            Assert.Contains("project.not-found", elsewhere.Stderr, StringComparison.Ordinal);

            // Grant and revoke by --project/--role, checked through user show.
            var grant = await CliRun.ExecuteAsync(["user", "grant", "dana", "--project", "default", "--role", "auditor", "--api-key", adminKey, .. server]);
            Assert.True(grant.Exit == 0, grant.Stderr);
            var shown = await CliRun.ExecuteAsync(["user", "show", "dana", "--api-key", adminKey, .. server]);
            Assert.Contains("roles: default:auditor default:data-scientist", shown.Stdout, StringComparison.Ordinal);
            var revoke = await CliRun.ExecuteAsync(["user", "revoke", "dana", "--project", "default", "--role", "auditor", "--api-key", adminKey, .. server]);
            Assert.True(revoke.Exit == 0, revoke.Stderr);
            shown = await CliRun.ExecuteAsync(["user", "show", "dana", "--api-key", adminKey, .. server]);
            Assert.Contains("roles: default:data-scientist", shown.Stdout, StringComparison.Ordinal);

            // An access token about to expire is refreshed first, and the file rewritten (still 0600) with the new pair.
            var before = SessionFile.TryRead(sessionPath)!;
            (before with { AccessTokenExpiresAt = DateTimeOffset.UnixEpoch }).WriteTo(sessionPath);
            var refreshed = await CliRun.ExecuteAsync(["whoami", .. server]);
            Assert.True(refreshed.Exit == 0, refreshed.Stderr);
            var after = SessionFile.TryRead(sessionPath)!;
            Assert.NotEqual(before.RefreshToken, after.RefreshToken);
            Assert.NotEqual(before.AccessToken, after.AccessToken);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(sessionPath));

            // --print-token prints the access token and nothing else secret.
            var printed = await CliRun.ExecuteWithInputAsync(Password + "\n", ["login", "--user", "dana", "--password-stdin", "--print-token", .. server]);
            Assert.True(printed.Exit == 0, printed.Stderr);
            var current = SessionFile.TryRead(sessionPath)!;
            Assert.Equal(current.AccessToken, printed.Stdout.TrimEnd().Split('\n')[^1]);
            Assert.DoesNotContain(current.RefreshToken, printed.Stdout, StringComparison.Ordinal);

            // Logout sends the refresh token only to the server that issued it.
            var wrongServer = await CliRun.ExecuteAsync("logout", "--url", "https://127.0.0.1:1", "--fingerprint", new string('A', 64));
            Assert.Equal(1, wrongServer.Exit);
            Assert.Contains("belongs to", wrongServer.Stderr, StringComparison.Ordinal);
            Assert.True(File.Exists(sessionPath));

            var logout = await CliRun.ExecuteAsync(["logout", .. server]);
            Assert.Equal(0, logout.Exit);
            Assert.False(File.Exists(sessionPath));
            var afterLogout = await CliRun.ExecuteAsync(["whoami", .. server]);
            Assert.NotEqual(0, afterLogout.Exit);

            // A spent refresh token (an old copy of the file) is refused, and the user is told to sign in again.
            (before with { AccessTokenExpiresAt = DateTimeOffset.UnixEpoch }).WriteTo(sessionPath);
            var stale = await CliRun.ExecuteAsync(["whoami", .. server]);
            Assert.Equal(1, stale.Exit);
            Assert.Contains("run 'bulwark login' again", stale.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("BULWARK_SESSION_FILE", null);
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromMinutes(1));
        }
    }
}
