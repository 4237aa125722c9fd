using Bulwark.Core.Incidents.Detection;

namespace Bulwark.Core.Tests.Incidents.Detection;

public sealed class ProbingRuleTests
{
    [Fact]
    public void Observe_TwentyRejectionsInOneMinute_FiresOnceOnThePrincipal()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var events = stream.Repeat(20, TimeSpan.FromSeconds(2), _ => stream.Rejected(AuditStream.Key, "fraud", "198.51.100.7")).ToList();

        var detection = Assert.Single(AuditStream.Run(engine, events));

        Assert.Equal(DetectionRuleIds.Probing, detection.RuleId);
        Assert.Equal(AuditStream.Key, detection.Subject);
        Assert.Equal(DetectionSeverity.Medium, detection.Severity);
        Assert.Equal(events.Select(e => e.Sequence), detection.EvidenceSequences);
        Assert.Equal("serving.input-invalid", detection.Facts["lastRejection"]);
        Assert.Equal("model/fraud", detection.Facts["lastModel"]);
        Assert.Equal("default", detection.ProjectId);
    }

    [Fact]
    public void Observe_NineteenRejectionsInOneMinute_StaysQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        Assert.Empty(AuditStream.Run(engine, stream.Repeat(19, TimeSpan.FromSeconds(3), _ => stream.Rejected(AuditStream.Key, "fraud", "198.51.100.7"))));
    }

    [Fact]
    public void Observe_RejectionsSpreadOverTheDay_StayQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        Assert.Empty(AuditStream.Run(engine, stream.Repeat(300, TimeSpan.FromSeconds(10), _ => stream.Rejected(AuditStream.Key, "fraud", "198.51.100.7"))));
    }

    [Fact]
    public void Observe_ManyPrincipalsEachWithAFewRejections_StaysQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(190, TimeSpan.FromMilliseconds(200), i => stream.Rejected($"key:bwk_{i % 10:d12}", "fraud", "198.51.100.7")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_ServingGuardFlagsProbing_FiresAtOnceAndLaterBurstContinues()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var flagged = stream.Event(DetectionCodes.ProbingDetected, "model.predict", AuditStream.Key, "model/fraud/3", "rejected", "198.51.100.7",
            new Dictionary<string, object?> { ["score"] = 0.97 }, "default");

        var first = Assert.Single(engine.Observe(flagged));
        stream.Advance(TimeSpan.FromMinutes(2));
        var burst = AuditStream.Run(engine, stream.Repeat(20, TimeSpan.FromSeconds(1), _ => stream.Rejected(AuditStream.Key, "fraud", "198.51.100.7")));

        Assert.Equal(DetectionRuleIds.Probing, first.RuleId);
        Assert.Equal([flagged.Sequence], first.EvidenceSequences);
        Assert.Equal("serving-guard", first.Facts["source"]);
        Assert.False(first.IsContinuation);
        Assert.True(Assert.Single(burst).IsContinuation);
    }
}
