using System.Text.RegularExpressions;
using Bulwark.Cli.Tests.Identity;
using Bulwark.Cli.Tests.Serve;

namespace Bulwark.Cli.Tests.Keys;

/// <summary>
/// <c>bulwark keys list|rotate|disable|enable|rewrap|min-version|destroy|approve-destroy|cancel-destroy</c> against a real server, driven
/// by administrators who signed in with a TOTP code through <c>bulwark login</c>; and the refusals for an admin without a
/// second factor, the admin API key and a non-admin, each with exit code 3 and the server's ProblemDetails code.
/// </summary>
[Collection(SessionFileCollection.Name)]
public sealed partial class KeyRingCommandTests : IAsyncLifetime
{
    private const string Password = "copper-meadow-lantern-violet-48";

    /// <summary>Every keys verb, list first; the version ids need not exist (authorization comes before the lookup).</summary>
    private static readonly string[][] Verbs =
    [
        ["keys", "list"], ["keys", "rotate"], ["keys", "disable", "k00000000"], ["keys", "enable", "k00000000"], ["keys", "rewrap"],
        ["keys", "min-version", "2"], ["keys", "destroy", "k00000000", "--reason", "x"], ["keys", "approve-destroy", "k00000000"],
        ["keys", "cancel-destroy", "k00000000"],
    ];

    private readonly TempDirectory _temp = new();
    private readonly CancellationTokenSource _stop = new();
    private Task<int>? _serve;
    private string _adminKey = "";
    private string _adminPassword = "";
    private string _adminEnrolmentCode = "";
    private string[] _server = [];

    public async Task InitializeAsync()
    {
        var dataDir = _temp.Combine("data");
        var init = await CliRun.ExecuteAsync("init", "--data-dir", dataDir);
        Assert.True(init.Exit == 0, init.Stderr);
        _adminKey = ServeOutput.AdminKey(init.Stdout);
        _adminPassword = ServeOutput.AdminPassword(init.Stdout);
        _adminEnrolmentCode = EnrolmentCode().Match(init.Stdout).Groups[1].Value;
        var serve = new CliRun();
        _serve = serve.RunAsync(["serve", "--data-dir", dataDir, "--port", "0"], _stop.Token);
        var url = await ServeOutput.WaitForUrlAsync(serve, _serve);
        _server = ["--url", url, "--ca-cert", Path.Combine(dataDir, "tls", "cert.pem")];
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable("BULWARK_SESSION_FILE", null);
        await _stop.CancelAsync();
        if (_serve is not null)
        {
            await _serve.WaitAsync(TimeSpan.FromMinutes(1));
        }

        _stop.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task KeysVerbs_TwoAdminsSignedInWithTotp_RotateRewrapRetireAndFourEyesDestroy()
    {
        var admin = _temp.Combine("sessions", "admin.json");
        var keeper = _temp.Combine("sessions", "keeper.json");
        var dana = _temp.Combine("sessions", "dana.json");

        // The admin before enrolling: signed in with a password only, so the admin role is not active.
        UseSession(admin);
        Ok(await CliRun.ExecuteWithInputAsync(_adminPassword + "\n", ["login", "--user", "admin", "--password-stdin", .. _server]));
        await AssertEveryVerbRefusedAsync("admin without MFA", "auth.forbidden", Verbs);

        // The admin API key may read the ring, but never change it: API keys carry no second factor (step-up).
        Assert.Contains("(derivation root)", Ok(await Run("keys", "list", "--api-key", _adminKey)), StringComparison.Ordinal);
        await AssertEveryVerbRefusedAsync("admin API key", "auth.step-up-required", Verbs[1..], ["--api-key", _adminKey]);

        // Without a terminal and without --code-stdin, enrolment is refused before it starts (its secret could reach no one).
        var blind = await Run("mfa", "enrol", "--enrolment-code", _adminEnrolmentCode);
        Assert.Equal(1, blind.Exit);
        Assert.Contains("--code-stdin", blind.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("secret:", blind.Stdout, StringComparison.Ordinal);

        await SignInWithTotpAsync("admin", _adminPassword, _adminEnrolmentCode);
        var whoami = Ok(await Run("whoami"));
        Assert.Contains("MFA: yes", whoami, StringComparison.Ordinal);

        // A second instance administrator (for four eyes) and a data scientist, created by the admin's MFA session.
        Ok(await CliRun.ExecuteWithInputAsync(Password + "\n", ["user", "create", "--login", "keeper", "--name", "Key Keeper", "--role", "*:admin", "--password-stdin", .. _server]));
        Ok(await CliRun.ExecuteWithInputAsync(Password + "\n", ["user", "create", "--login", "dana", "--name", "Dana", "--role", "default:data-scientist", "--password-stdin", .. _server]));
        var keeperCode = EnrolmentCodeLine().Match(Ok(await Run("user", "mfa-code", "keeper"))).Groups[1].Value;
        Assert.NotEmpty(keeperCode);

        UseSession(dana);
        Ok(await CliRun.ExecuteWithInputAsync(Password + "\n", ["login", "--user", "dana", "--password-stdin", .. _server]));
        await AssertEveryVerbRefusedAsync("non-admin", "auth.forbidden", Verbs);

        UseSession(keeper);
        await SignInWithTotpAsync("keeper", Password, keeperCode);

        // list: one version, enabled, primary, holding the envelopes init made (TOTP secrets, signing keys).
        UseSession(admin);
        var ring = await ListAsync();
        var v1 = Assert.Single(ring);
        Assert.Equal((1, "enabled", true), (v1.Number, v1.State, v1.Primary));
        Assert.True(v1.Objects > 0, "init seals secrets under the first version");
        var listed = Ok(await Run("keys", "list"));
        Assert.Contains("provider: file", listed, StringComparison.Ordinal);
        Assert.Contains("minimum decryption version: 1", listed, StringComparison.Ordinal);
        Assert.Contains("(derivation root)", listed, StringComparison.Ordinal);
        Assert.Matches(@"signing key jwt \S+: \d+\.\d days old", listed);

        // rotate: a new primary; the old version keeps its objects until rewrapped.
        var rotated = Ok(await Run("keys", "rotate", "--reason", "quarterly rotation"));
        var v2 = RotatedTo().Match(rotated);
        Assert.True(v2.Success, rotated);
        Assert.Equal("2", v2.Groups[2].Value);
        ring = await ListAsync();
        Assert.Equal([(v1.Id, false), (v2.Groups[1].Value, true)], ring.Select(v => (v.Id, v.Primary)));
        Assert.True(ring[0].Objects > 0);

        // Retiring v1 while data remains under it is refused: exit 3 and the server's code on stderr.
        var refused = await Run("keys", "min-version", "2");
        Assert.Equal(3, refused.Exit);
        Assert.StartsWith("error: keyring.objects-remain:", refused.Stderr, StringComparison.Ordinal);
        refused = await Run("keys", "disable", v1.Id);
        Assert.Equal(3, refused.Exit);
        Assert.StartsWith("error: keyring.objects-remain:", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("enabled", (await ListAsync())[0].State);

        // rewrap: reports what moved, per store, and that everything is under v2 now; a second run moves nothing.
        var rewrap = Ok(await Run("keys", "rewrap", "--reason", "retire v1"));
        var moved = StoreLine().Matches(rewrap).Select(m => (Store: m.Groups[1].Value, Rewrapped: int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            Failed: m.Groups[4].Value)).ToList();
        Assert.NotEmpty(moved);
        Assert.Equal(v1.Objects, moved.Sum(m => m.Rewrapped));
        Assert.All(moved, m => Assert.Equal("0", m.Failed));
        Assert.Contains($"now: {v2.Groups[1].Value}=", rewrap, StringComparison.Ordinal);
        Assert.DoesNotContain(v1.Id + "=", rewrap, StringComparison.Ordinal);
        var again = Ok(await Run("keys", "rewrap"));
        Assert.All(StoreLine().Matches(again), m => Assert.Equal("0", m.Groups[2].Value));
        Assert.Equal(0, (await ListAsync())[0].Objects);

        // Now the minimum can rise and v1 can be disabled; enabled again, and disabled once more.
        Assert.Contains("minimum decryption version is now 2", Ok(await Run("keys", "min-version", "2")), StringComparison.Ordinal);
        Assert.Contains("minimum decryption version: 2", Ok(await Run("keys", "list")), StringComparison.Ordinal);
        Assert.Contains($"key version {v1.Id} is disabled", Ok(await Run("keys", "disable", v1.Id, "--reason", "retired")), StringComparison.Ordinal);
        Assert.Equal("disabled", (await ListAsync())[0].State);
        Assert.Contains($"key version {v1.Id} is enabled", Ok(await Run("keys", "enable", v1.Id)), StringComparison.Ordinal);
        Assert.Equal("enabled", (await ListAsync())[0].State);

        // The primary cannot be disabled; an unknown version is a 404 code.
        refused = await Run("keys", "disable", v2.Groups[1].Value, "--force");
        Assert.Equal(3, refused.Exit);
        Assert.StartsWith("error: keyring.primary:", refused.Stderr, StringComparison.Ordinal);
        refused = await Run("keys", "enable", "k00000000");
        Assert.Equal(3, refused.Exit);
        Assert.StartsWith("error: keyring.version-not-found:", refused.Stderr, StringComparison.Ordinal);

        // Destroying v2: rotate to v3, rewrap off v2, disable it; the request needs a reason; the same admin may not
        // approve it; the second admin can.
        var v3 = RotatedTo().Match(Ok(await Run("keys", "rotate"))).Groups[1].Value;
        Ok(await Run("keys", "rewrap"));
        var v2Id = v2.Groups[1].Value;
        refused = await Run("keys", "destroy", v2Id, "--reason", "retired");
        Assert.Equal(3, refused.Exit);
        Assert.StartsWith("error: keyring.invalid-state:", refused.Stderr, StringComparison.Ordinal);
        refused = await Run("keys", "approve-destroy", v2Id);
        Assert.Equal(3, refused.Exit);
        Assert.StartsWith("error: keyring.no-pending-destroy:", refused.Stderr, StringComparison.Ordinal);
        Ok(await Run("keys", "disable", v2Id));
        var noReason = await Run("keys", "destroy", v2Id);
        Assert.Equal(1, noReason.Exit);
        Assert.Contains("--reason", noReason.Stderr, StringComparison.Ordinal);
        // A request can be withdrawn (by either admin); nothing is left pending, and the version stays disabled.
        Ok(await Run("keys", "destroy", v2Id, "--reason", "changed my mind"));
        Assert.Contains($"destroy request for {v2Id} withdrawn", Ok(await Run("keys", "cancel-destroy", v2Id)), StringComparison.Ordinal);
        Assert.DoesNotContain("pending destroy", Ok(await Run("keys", "list")), StringComparison.Ordinal);
        Assert.Equal("disabled", (await ListAsync()).Single(v => v.Id == v2Id).State);
        refused = await Run("keys", "cancel-destroy", v2Id);
        Assert.Equal(3, refused.Exit);
        Assert.StartsWith("error: keyring.no-pending-destroy:", refused.Stderr, StringComparison.Ordinal);

        var requested = Ok(await Run("keys", "destroy", v2Id, "--reason", "retired after rotation"));
        Assert.Contains($"bulwark keys approve-destroy {v2Id}", requested, StringComparison.Ordinal);
        Assert.Matches($"pending destroy of {v2Id} requested by \\S+, expires .+: retired after rotation", Ok(await Run("keys", "list")));

        var self = await Run("keys", "approve-destroy", v2Id);
        Assert.Equal(3, self.Exit);
        Assert.StartsWith("error: keyring.same-approver:", self.Stderr, StringComparison.Ordinal);
        Assert.Equal("disabled", (await ListAsync()).Single(v => v.Id == v2Id).State);

        UseSession(keeper);
        Assert.Contains($"key version {v2Id} is destroyed", Ok(await Run("keys", "approve-destroy", v2Id)), StringComparison.Ordinal);
        ring = await ListAsync();
        Assert.Equal("destroyed", ring.Single(v => v.Id == v2Id).State);
        Assert.Equal(v3, ring.Single(v => v.Primary).Id);
        Assert.DoesNotContain("pending destroy", Ok(await Run("keys", "list")), StringComparison.Ordinal);

        // The derivation root is never destroyed.
        Ok(await Run("keys", "disable", v1.Id));
        refused = await Run("keys", "destroy", v1.Id, "--reason", "retired");
        Assert.Equal(3, refused.Exit);
        Assert.StartsWith("error: keyring.derivation-root:", refused.Stderr, StringComparison.Ordinal);

        // The platform still works on the rewrapped data: the admin signs in again and reads users.
        UseSession(admin);
        Assert.Contains("keeper", Ok(await Run("user", "list")), StringComparison.Ordinal);
    }

    /// <summary>Signs <paramref name="login"/> in with the password, enrols TOTP with the enrolment code, and signs in again with a code.</summary>
    private async Task SignInWithTotpAsync(string login, string password, string enrolmentCode)
    {
        Ok(await CliRun.ExecuteWithInputAsync(password + "\n", ["login", "--user", login, "--password-stdin", .. _server]));

        // The secret is shown only once enrolment starts, so the first code goes in on stdin (--code-stdin) after it.
        var feed = new LineFeed();
        var enrol = new CliRun(feed);
        var running = enrol.RunAsync(["mfa", "enrol", "--enrolment-code", enrolmentCode, "--code-stdin", .. _server]);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            while (!Secret().IsMatch(enrol.Stdout))
            {
                Assert.False(running.IsCompleted, $"mfa enrol exited early: {enrol.Stdout}{enrol.Stderr}");
                await Task.Delay(50, timeout.Token);
            }
        }

        var secret = OtpNet.Base32Encoding.ToBytes(Secret().Match(enrol.Stdout).Groups[1].Value);
        feed.Send(new OtpNet.Totp(secret).ComputeTotp(TimeProvider.System.GetUtcNow().UtcDateTime));
        Assert.True(await running == 0, enrol.Stderr);
        Assert.Contains("MFA enrolled. Recovery codes", enrol.Stdout, StringComparison.Ordinal);

        // The confirming code's step is spent; the next step's code is fresh and within the allowed drift.
        var next = new OtpNet.Totp(secret).ComputeTotp(TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(30));
        var signedIn = Ok(await CliRun.ExecuteWithInputAsync(password + "\n", ["login", "--user", login, "--password-stdin", "--code", next, .. _server]));
        Assert.Contains($"Signed in as {login} (pwd+", signedIn, StringComparison.Ordinal);
    }

    private async Task AssertEveryVerbRefusedAsync(string who, string code, string[][] verbs, string[]? credential = null)
    {
        foreach (var verb in verbs)
        {
            var result = await Run([.. verb, .. credential ?? []]);
            Assert.True(result.Exit == 3, $"{who}: {string.Join(' ', verb)} exited {result.Exit}: {result.Stdout}{result.Stderr}");
            Assert.StartsWith($"error: {code}:", result.Stderr, StringComparison.Ordinal);
            Assert.Empty(result.Stdout);
        }
    }

    private async Task<List<(int Number, string Id, string State, bool Primary, long Objects)>> ListAsync()
    {
        var listed = Ok(await Run("keys", "list"));
        return [.. VersionRow().Matches(listed).Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value,
            m.Groups[3].Value, m.Groups[4].Success, long.Parse(m.Groups[5].Value, System.Globalization.CultureInfo.InvariantCulture)))];
    }

    private Task<(int Exit, string Stdout, string Stderr)> Run(params string[] args) => CliRun.ExecuteAsync([.. args, .. _server]);

    private static string Ok((int Exit, string Stdout, string Stderr) result)
    {
        Assert.True(result.Exit == 0, $"exit {result.Exit}: {result.Stdout}{result.Stderr}");
        return result.Stdout;
    }

    private static void UseSession(string path) => Environment.SetEnvironmentVariable("BULWARK_SESSION_FILE", path);

    [GeneratedRegex(@"MFA enrolment code for 'admin' \(one use, valid 24 hours\): (\S+)")]
    private static partial Regex EnrolmentCode();

    [GeneratedRegex(@"^\s+(bwm_\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex EnrolmentCodeLine();

    [GeneratedRegex(@"^\s+secret: ([A-Z2-7]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Secret();

    [GeneratedRegex(@"^(\d+)\s+(k[0-9a-f]+)\s+(enabled|disabled|destroyed)\s+(yes)?\s+[\d.]+\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex VersionRow();

    [GeneratedRegex(@"master key version (k[0-9a-f]+) \(v(\d+)\) is now primary")]
    private static partial Regex RotatedTo();

    [GeneratedRegex(@"^(\S+): (\d+) rewrapped, (\d+) already current, (\d+) failed, (\d+) changed meanwhile$", RegexOptions.Multiline)]
    private static partial Regex StoreLine();
}
