using Bulwark.Core.Audit;
using Bulwark.Core.Incidents.Detection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Tests.Incidents.Detection;

public sealed class DetectionEngineTests
{
    [Fact]
    public void Constructor_DefaultOptions_EnablesEveryRule()
    {
        var engine = AuditStream.Engine();

        Assert.Equal(
            [
                DetectionRuleIds.BruteForce, DetectionRuleIds.CredentialStuffing, DetectionRuleIds.ApiKeyNewNetwork, DetectionRuleIds.Probing,
                DetectionRuleIds.MassQuery, DetectionRuleIds.BudgetExhausted, DetectionRuleIds.ModelIntegrity, DetectionRuleIds.AuditChain,
                DetectionRuleIds.PrivilegeChange, DetectionRuleIds.AdminOffHours, DetectionRuleIds.BreakGlass,
            ],
            engine.Rules.Select(r => r.Id));
    }

    [Fact]
    public void Observe_DisabledRule_NeverFires()
    {
        var engine = AuditStream.Engine(o => o.BruteForce.Enabled = false);
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(30, TimeSpan.FromSeconds(1), _ => stream.LoginFailed("alice", "203.0.113.9")));

        Assert.DoesNotContain(engine.Rules, r => r.Id == DetectionRuleIds.BruteForce);
        Assert.DoesNotContain(detections, d => d.RuleId == DetectionRuleIds.BruteForce);
    }

    [Fact]
    public void Observe_ReplayedEvents_AreNotCountedTwice()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var events = stream.Repeat(9, TimeSpan.FromSeconds(5), _ => stream.LoginFailed("alice", "203.0.113.9")).ToList();

        // A reader that re-reads overlapping pages hands over the same events again.
        var detections = AuditStream.Run(engine, events.Concat(events).Concat(events.Skip(4)));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_SameLedgerTwice_GivesSameDetections()
    {
        var stream = new AuditStream();
        var events = stream.Repeat(12, TimeSpan.FromSeconds(5), i => stream.LoginFailed(i < 6 ? "alice" : "user" + i, "203.0.113.9"))
            .Append(stream.Granted(AuditStream.Alice, "user:x", "admin", "*"))
            .ToList();

        var first = AuditStream.Run(AuditStream.Engine(), events);
        var second = AuditStream.Run(AuditStream.Engine(), events);

        Assert.NotEmpty(first);
        Assert.Equal(first.Select(Describe), second.Select(Describe));
    }

    [Fact]
    public void Observe_HundredThousandDistinctAddresses_StateStaysBounded()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var limit = new DetectionOptions().MaxTrackedSubjects;

        var detections = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var address = $"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}";
            stream.Advance(TimeSpan.FromMilliseconds(3));
            detections += engine.Observe(stream.UnknownLoginFailed(address)).Count;
            detections += engine.Observe(stream.Predicted($"key:bwk_{i:x12}", "fraud", 1, address)).Count;
        }

        Assert.Equal(0, detections);
        Assert.All(engine.Rules, r => Assert.InRange(r.TrackedSubjects, 0, limit));
        Assert.Equal(limit, engine.Rules.Single(r => r.Id == DetectionRuleIds.CredentialStuffing).TrackedSubjects);
    }

    [Fact]
    public void Observe_AttackAfterAFlood_IsStillDetected()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        for (var i = 0; i < 50_000; i++)
        {
            engine.Observe(stream.UnknownLoginFailed($"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"));
        }

        var detections = AuditStream.Run(engine, stream.Repeat(5, TimeSpan.FromSeconds(1), _ => stream.UnknownLoginFailed("203.0.113.9")));

        Assert.Equal("address/203.0.113.9", Assert.Single(detections).Subject);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"rows\":\"many\",\"role\":{\"nested\":true}}")]
    [InlineData("")]
    public void Observe_MalformedDetails_DoesNotThrow(string details)
    {
        var engine = AuditStream.Engine(o => o.MassQuery.Threshold = 2);
        var stream = new AuditStream();
        var events = new[]
        {
            stream.Predicted(AuditStream.Key, "fraud", 1, "198.51.100.7"),
            stream.Predicted(AuditStream.Key, "fraud", 1, "198.51.100.7"),
            stream.Granted(AuditStream.Alice, "user:x", "admin", "*"),
            stream.Event(AuditCodes.ModelIntegrityFailure, "model.load", "system", "model/fraud/1", "failure", null),
        };
        foreach (var e in events)
        {
            e.Details = details;
        }

        var detections = AuditStream.Run(engine, events);

        Assert.Equal([DetectionRuleIds.MassQuery, DetectionRuleIds.PrivilegeChange, DetectionRuleIds.ModelIntegrity], detections.Select(d => d.RuleId));
        Assert.Equal(DetectionSeverity.Low, detections[1].Severity);
    }

    [Fact]
    public void Observe_TimestampsSlightlyOutOfOrder_StillCount()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var events = stream.Repeat(10, TimeSpan.FromSeconds(1), _ => stream.LoginFailed("alice", "203.0.113.9")).ToList();
        (events[3].Timestamp, events[4].Timestamp) = (events[4].Timestamp, events[3].Timestamp.AddMilliseconds(-5));

        Assert.Single(AuditStream.Run(engine, events));
    }

    [Fact]
    public void AddDetection_ValidConfiguration_ResolvesEngineWithBoundOptions()
    {
        using var provider = Provider(new() { ["Bulwark:Detection:BruteForce:Threshold"] = "3", ["Bulwark:Detection:AdminNetworks:0"] = "10.0.0.0/8" });
        var options = provider.GetRequiredService<IOptions<DetectionOptions>>().Value;

        Assert.Equal(3, options.BruteForce.Threshold);
        Assert.Equal(TimeSpan.FromMinutes(5), options.BruteForce.Window);
        Assert.Equal(["10.0.0.0/8"], options.AdminNetworks);
        Assert.Same(provider.GetRequiredService<DetectionEngine>(), provider.GetRequiredService<DetectionEngine>());
    }

    [Fact]
    public void AddDetection_InvalidConfiguration_FailsStartupValidation()
    {
        using var provider = Provider(new() { ["Bulwark:Detection:Probing:Window"] = "00:00:00", ["Bulwark:Detection:AdminNetworks:0"] = "10.0.0.0/33" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(ex.Failures, f => f.Contains("Bulwark:Detection:Probing:Window", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("10.0.0.0/33", StringComparison.Ordinal));
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<DetectionEngine>());
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddDetection(configuration).AddDetection(configuration).BuildServiceProvider();
    }

    private static string Describe(SecurityDetection d) =>
        $"{d.RuleId}|{d.Severity}|{d.Subject}|{d.At:O}|{d.IsContinuation}|{string.Join(',', d.EvidenceSequences)}|{string.Join(';', d.Facts.Select(f => f.Key + '=' + f.Value))}|{d.Summary}";
}
