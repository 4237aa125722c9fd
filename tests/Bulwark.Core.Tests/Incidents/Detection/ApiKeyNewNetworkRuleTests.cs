using Bulwark.Core.Audit;
using Bulwark.Core.Incidents.Detection;

namespace Bulwark.Core.Tests.Incidents.Detection;

public sealed class ApiKeyNewNetworkRuleTests
{
    private static readonly string[] Baseline = ["198.51.100.7", "198.51.100.8", "192.0.2.10"];

    /// <summary>Twelve predictions over 25 hours from two networks: both learning limits are passed.</summary>
    private static List<SecurityDetection> Learn(DetectionEngine engine, AuditStream stream, string principal = AuditStream.Key) =>
        [.. AuditStream.Run(engine, stream.Repeat(12, TimeSpan.FromHours(25.0 / 11), i => stream.Predicted(principal, "fraud", 3, Baseline[i % 3])).ToList())];

    [Fact]
    public void Observe_KeyUsedFromNewNetworkAfterLearning_FiresOnceForThatNetwork()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        Assert.Empty(Learn(engine, stream));

        stream.Advance(TimeSpan.FromHours(1));
        var use = stream.Predicted(AuditStream.Key, "fraud", 3, "203.0.113.50");
        var detection = Assert.Single(engine.Observe(use));
        stream.Advance(TimeSpan.FromMinutes(1));
        var again = AuditStream.Run(engine, [stream.Predicted(AuditStream.Key, "fraud", 3, "203.0.113.50"), stream.Predicted(AuditStream.Key, "fraud", 3, "203.0.113.51")]);

        Assert.Equal(DetectionRuleIds.ApiKeyNewNetwork, detection.RuleId);
        Assert.Equal(AuditStream.Key, detection.Subject);
        Assert.Equal(DetectionSeverity.Medium, detection.Severity);
        Assert.Equal([use.Sequence], detection.EvidenceSequences);
        Assert.Equal("203.0.113.0/24", detection.Facts["network"]);
        Assert.Equal("2", detection.Facts["knownNetworks"]);
        Assert.Equal("default", detection.ProjectId);
        Assert.Empty(again);
    }

    [Fact]
    public void Observe_KeyUsedFromBaselineNetworks_StaysQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        Assert.Empty(Learn(engine, stream));

        // Other hosts of the same /24s, for days.
        var detections = AuditStream.Run(engine, stream.Repeat(200, TimeSpan.FromMinutes(30), i => stream.Predicted(AuditStream.Key, "fraud", 3, $"198.51.100.{i % 250 + 1}")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_NewNetworksDuringLearning_AreBaseline()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(10, TimeSpan.FromMinutes(5), i => stream.Predicted(AuditStream.Key, "fraud", 3, $"203.0.{i}.1")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_RarelyUsedKeyAfterLearningPeriod_StillLearnsUntilEnoughEvents()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        // Three uses over three days: past 24 hours, but fewer than LearningEvents (10).
        var detections = AuditStream.Run(engine, stream.Repeat(3, TimeSpan.FromDays(1), i => stream.Predicted(AuditStream.Key, "fraud", 3, $"203.0.{i}.1")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_SecondNewNetworkWithinCooldown_IsContinuation()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        Learn(engine, stream);

        stream.Advance(TimeSpan.FromHours(1));
        var first = Assert.Single(engine.Observe(stream.Predicted(AuditStream.Key, "fraud", 3, "203.0.113.50")));
        stream.Advance(TimeSpan.FromMinutes(10));
        var second = Assert.Single(engine.Observe(stream.Predicted(AuditStream.Key, "fraud", 3, "2001:db8:aa:bb::1")));

        Assert.False(first.IsContinuation);
        Assert.True(second.IsContinuation);
        Assert.Equal("2001:db8:aa:bb::/64", second.Facts["network"]);
    }

    [Fact]
    public void Observe_Ipv6AddressesInsideOneSlash64_AreOneNetwork()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        AuditStream.Run(engine, stream.Repeat(12, TimeSpan.FromHours(3), i => stream.Predicted(AuditStream.Key, "fraud", 3, $"2001:db8:1:2::{i + 1:x}")).ToList());

        var detections = AuditStream.Run(engine, stream.Repeat(5, TimeSpan.FromHours(1), i => stream.Predicted(AuditStream.Key, "fraud", 3, $"2001:db8:1:2:ffff::{i + 1:x}")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_OAuthClientFromNewNetwork_Fires()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        Learn(engine, stream, "client:billing_batch");

        stream.Advance(TimeSpan.FromHours(1));
        var detection = Assert.Single(engine.Observe(stream.Event(AuditCodes.ClientTokenIssued, "client.token", "client:billing_batch", "client/billing_batch", "success", "203.0.113.77")));

        Assert.Equal("client:billing_batch", detection.Subject);
    }

    [Fact]
    public void Observe_UsersAndFailuresFromNewNetworks_AreNotThisRule()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        Learn(engine, stream);
        AuditStream.Run(engine, stream.Repeat(12, TimeSpan.FromHours(3), i => stream.Predicted(AuditStream.Alice, "fraud", 3, "192.0.2.10")).ToList());

        stream.Advance(TimeSpan.FromHours(1));
        var detections = AuditStream.Run(engine,
        [
            stream.Predicted(AuditStream.Alice, "fraud", 3, "203.0.113.50"),
            stream.Rejected(AuditStream.Key, "fraud", "203.0.113.50"),
            stream.Event(AuditCodes.AccessDenied, "auth.authorize", AuditStream.Key, "/api/v1/models", "denied", "203.0.113.50"),
        ]);

        Assert.Empty(detections);
    }
}
