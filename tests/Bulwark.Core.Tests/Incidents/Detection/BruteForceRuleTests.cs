using Bulwark.Core.Incidents.Detection;

namespace Bulwark.Core.Tests.Incidents.Detection;

public sealed class BruteForceRuleTests
{
    [Fact]
    public void Observe_TenFailuresForOneAccountInFiveMinutes_FiresOnceWithEvidence()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var events = stream.Repeat(10, TimeSpan.FromSeconds(20), _ => stream.LoginFailed("alice", "203.0.113.9")).ToList();

        var detection = Assert.Single(AuditStream.Run(engine, events));

        Assert.Equal(DetectionRuleIds.BruteForce, detection.RuleId);
        Assert.Equal("user/alice", detection.Subject);
        Assert.Equal(DetectionSeverity.Medium, detection.Severity);
        Assert.Equal(events.Select(e => e.Sequence), detection.EvidenceSequences);
        Assert.Equal(events[^1].Timestamp, detection.At);
        Assert.False(detection.IsContinuation);
        Assert.Equal("10", detection.Facts["failures"]);
        Assert.Equal("5 min", detection.Facts["window"]);
        Assert.Equal("203.0.113.9", detection.Facts["lastAddress"]);
    }

    [Fact]
    public void Observe_NineFailuresInFiveMinutes_StaysQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(9, TimeSpan.FromSeconds(30), _ => stream.LoginFailed("alice", "203.0.113.9")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_FailuresSpreadOverHours_StaysQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(40, TimeSpan.FromMinutes(35), _ => stream.LoginFailed("alice", "198.51.100.4")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_AttackerRotatesAddresses_StillCountsPerAccount()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(10, TimeSpan.FromSeconds(5), i => stream.LoginFailed("alice", $"203.0.113.{i + 1}")));

        Assert.Equal("user/alice", Assert.Single(detections, d => d.RuleId == DetectionRuleIds.BruteForce).Subject);
    }

    [Fact]
    public void Observe_SeveralAccountsEachUnderThreshold_StaysQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var events = new List<Core.Audit.AuditEvent>();
        foreach (var (login, client) in new[] { ("alice", "198.51.100.1"), ("bob", "198.51.100.2"), ("carol", "198.51.100.3") })
        {
            events.AddRange(stream.Repeat(9, TimeSpan.FromSeconds(10), _ => stream.LoginFailed(login, client)).ToList());
        }

        Assert.Empty(AuditStream.Run(engine, events));
    }

    [Fact]
    public void Observe_UnknownLogins_AreNotOneAccount()
    {
        var engine = AuditStream.Engine(o => o.CredentialStuffing.Enabled = false);
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(15, TimeSpan.FromSeconds(5), i => stream.UnknownLoginFailed($"198.51.100.{i + 1}")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_OldFailuresLeaveTheWindow_OnlyRecentOnesCount()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var old = stream.Repeat(5, TimeSpan.FromSeconds(1), _ => stream.LoginFailed("alice", "203.0.113.9")).ToList();
        Assert.Empty(AuditStream.Run(engine, old));

        // Five minutes plus more than one slot (5 s) later, the first five no longer count.
        stream.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(10));
        var recent = stream.Repeat(5, TimeSpan.FromSeconds(1), _ => stream.LoginFailed("alice", "203.0.113.9")).ToList();
        Assert.Empty(AuditStream.Run(engine, recent));

        var more = stream.Repeat(5, TimeSpan.FromSeconds(1), _ => stream.LoginFailed("alice", "203.0.113.9")).ToList();
        var detection = Assert.Single(AuditStream.Run(engine, more));
        Assert.Equal(recent.Concat(more).Select(e => e.Sequence), detection.EvidenceSequences);
    }

    [Fact]
    public void Observe_AttackContinuesWithinCooldown_YieldsContinuationsNotNewDetections()
    {
        var engine = AuditStream.Engine(o => o.CredentialStuffing.Enabled = false);
        var stream = new AuditStream();

        var first = AuditStream.Run(engine, stream.Repeat(10, TimeSpan.FromSeconds(2), _ => stream.LoginFailed("alice", "203.0.113.9")));
        stream.Advance(TimeSpan.FromMinutes(10));
        var during = AuditStream.Run(engine, stream.Repeat(25, TimeSpan.FromSeconds(2), _ => stream.LoginFailed("alice", "203.0.113.9")));
        stream.Advance(TimeSpan.FromMinutes(31));
        var after = AuditStream.Run(engine, stream.Repeat(10, TimeSpan.FromSeconds(2), _ => stream.LoginFailed("alice", "203.0.113.9")));

        Assert.False(Assert.Single(first).IsContinuation);
        Assert.Equal(2, during.Count);
        Assert.All(during, d => Assert.True(d.IsContinuation));
        Assert.All(during, d => Assert.Equal("user/alice", d.Subject));
        Assert.False(Assert.Single(after).IsContinuation);
    }
}
