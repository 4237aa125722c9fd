using Bulwark.Core.Incidents.Detection;

namespace Bulwark.Core.Tests.Incidents.Detection;

public sealed class CredentialStuffingRuleTests
{
    [Fact]
    public void Observe_FiveAccountsFromOneAddress_FiresOnceOnTheAddress()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        string[] logins = ["alice", "bob", "carol", "dave", "erin"];
        var events = stream.Repeat(5, TimeSpan.FromSeconds(3), i => stream.LoginFailed(logins[i], "203.0.113.9")).ToList();

        var detection = Assert.Single(AuditStream.Run(engine, events));

        Assert.Equal(DetectionRuleIds.CredentialStuffing, detection.RuleId);
        Assert.Equal("address/203.0.113.9", detection.Subject);
        Assert.Equal(DetectionSeverity.High, detection.Severity);
        Assert.Equal(events.Select(e => e.Sequence), detection.EvidenceSequences);
        Assert.Equal("accounts", detection.Facts["trigger"]);
        Assert.Equal("5", detection.Facts["distinctAccounts"]);
        Assert.Equal("user/alice, user/bob, user/carol, user/dave, user/erin", detection.Facts["accounts"]);
    }

    [Fact]
    public void Observe_UnknownLoginsFromOneAddress_CountAsDistinctAttempts()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detection = Assert.Single(AuditStream.Run(engine, stream.Repeat(5, TimeSpan.FromSeconds(1), _ => stream.UnknownLoginFailed("203.0.113.9"))));

        Assert.Equal("address/203.0.113.9", detection.Subject);
        Assert.Equal("5", detection.Facts["unknownLogins"]);
        Assert.Equal("", detection.Facts["accounts"]);
    }

    [Fact]
    public void Observe_TwentyMalformedKeysFromOneAddress_FiresOnFailureCount()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var quiet = AuditStream.Run(engine, stream.Repeat(19, TimeSpan.FromSeconds(1), _ => stream.ApiKeyFailed(null, "198.51.100.20")).ToList());
        var detection = Assert.Single(AuditStream.Run(engine, [stream.ApiKeyFailed(null, "198.51.100.20")]));

        Assert.Empty(quiet);
        Assert.Equal("failures", detection.Facts["trigger"]);
        Assert.Equal("20", detection.Facts["failures"]);
        Assert.Equal(20, detection.EvidenceSequences.Count);
    }

    [Fact]
    public void Observe_GuessedApiKeyPrefixes_CountAsDistinctCredentials()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(5, TimeSpan.FromSeconds(1), i => stream.ApiKeyFailed($"bwk_00000000000{i}", "198.51.100.20")));

        Assert.Equal("address/198.51.100.20", Assert.Single(detections).Subject);
    }

    [Fact]
    public void Observe_OfficeBehindOneAddressWithOccasionalTypos_StaysQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        string[] logins = ["alice", "bob", "carol", "dave"];

        // Four people mistype once every few minutes for an afternoon, all behind one NAT address.
        var detections = AuditStream.Run(engine, stream.Repeat(60, TimeSpan.FromMinutes(2), i => stream.LoginFailed(logins[i % 4], "192.0.2.200")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_SameAddressWrittenAsIpv4MappedIpv6_IsOneSource()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        string[] forms = ["203.0.113.9", "::ffff:203.0.113.9", "203.0.113.9", "::FFFF:203.0.113.9", "203.0.113.9"];

        var detections = AuditStream.Run(engine, stream.Repeat(5, TimeSpan.FromSeconds(1), i => stream.UnknownLoginFailed(forms[i])));

        Assert.Equal("address/203.0.113.9", Assert.Single(detections).Subject);
    }

    [Fact]
    public void Observe_AttackerRotatesAddressesInsideOneIpv6Slash64_IsOneSource()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(5, TimeSpan.FromSeconds(1), i => stream.UnknownLoginFailed($"2001:db8:1:2::{i + 1:x}")));

        var detection = Assert.Single(detections);
        Assert.Equal("address/2001:db8:1:2::/64", detection.Subject);
        Assert.Equal("2001:db8:1:2::5", detection.Facts["lastAddress"]);
    }

    [Fact]
    public void Observe_FailuresWithoutClientAddress_AreIgnored()
    {
        var engine = AuditStream.Engine(o => o.BruteForce.Enabled = false);
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(30, TimeSpan.FromSeconds(1), i => stream.LoginFailed("user" + i, null)));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_SecondWaveWithinCooldown_IsContinuation()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var first = AuditStream.Run(engine, stream.Repeat(5, TimeSpan.FromSeconds(1), _ => stream.UnknownLoginFailed("203.0.113.9")).ToList());
        stream.Advance(TimeSpan.FromMinutes(20));
        var second = AuditStream.Run(engine, stream.Repeat(5, TimeSpan.FromSeconds(1), _ => stream.UnknownLoginFailed("203.0.113.9")).ToList());

        Assert.False(Assert.Single(first).IsContinuation);
        Assert.True(Assert.Single(second).IsContinuation);
    }
}
