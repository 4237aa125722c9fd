using Bulwark.Core.Incidents.Detection;

namespace Bulwark.Core.Tests.Incidents.Detection;

public sealed class MassQueryRuleTests
{
    [Fact]
    public void Observe_ThousandPredictionsOnOneModelInTenMinutes_FiresOnceWithRecentEvidence()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var events = stream.Repeat(1000, TimeSpan.FromMilliseconds(500), _ => stream.Predicted(AuditStream.Key, "fraud", 3, "198.51.100.7")).ToList();

        var detection = Assert.Single(AuditStream.Run(engine, events));

        Assert.Equal(DetectionRuleIds.MassQuery, detection.RuleId);
        Assert.Equal(AuditStream.Key, detection.Subject);
        Assert.Equal(DetectionSeverity.High, detection.Severity);
        Assert.Equal("fraud", detection.Facts["model"]);
        Assert.Equal("1000", detection.Facts["predictions"]);
        Assert.Equal(events.TakeLast(50).Select(e => e.Sequence), detection.EvidenceSequences);
        Assert.Equal(events[^1].Timestamp, detection.At);
    }

    [Fact]
    public void Observe_FiveHundredLegitimatePredictions_StaysQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(500, TimeSpan.FromMilliseconds(900), _ => stream.Predicted(AuditStream.Key, "fraud", 3, "198.51.100.7")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_SteadyTrafficJustUnderThresholdForHours_StaysQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        // 90 predictions a minute (900 per ten minutes) for three hours.
        var detections = AuditStream.Run(engine, stream.Repeat(16_200, TimeSpan.FromSeconds(60.0 / 90), _ => stream.Predicted(AuditStream.Key, "fraud", 3, "198.51.100.7")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_BatchesOfRows_CountEveryRow()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(16, TimeSpan.FromSeconds(10), _ => stream.Predicted(AuditStream.Key, "fraud", 3, "198.51.100.7", rows: 64)));

        var detection = Assert.Single(detections);
        Assert.Equal("1024", detection.Facts["predictions"]);
        Assert.Equal(16, detection.EvidenceSequences.Count);
    }

    [Fact]
    public void Observe_QueriesSpreadOverVersionsOfOneModel_CountTogether()
    {
        var engine = AuditStream.Engine(o => o.MassQuery.Threshold = 100);
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(100, TimeSpan.FromSeconds(1), i => stream.Predicted(AuditStream.Key, "fraud", i % 3 + 1, "198.51.100.7")));

        Assert.Equal("fraud", Assert.Single(detections).Facts["model"]);
    }

    [Fact]
    public void Observe_SeveralModelsEachUnderThreshold_StaysQuiet()
    {
        var engine = AuditStream.Engine(o => o.MassQuery.Threshold = 100);
        var stream = new AuditStream();
        string[] models = ["fraud", "churn", "credit"];

        var detections = AuditStream.Run(engine, stream.Repeat(297, TimeSpan.FromSeconds(1), i => stream.Predicted(AuditStream.Key, models[i % 3], 1, "198.51.100.7")));

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_ExtractionKeepsGoing_OneDetectionThenContinuations()
    {
        var engine = AuditStream.Engine(o => o.MassQuery.Threshold = 100);
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(350, TimeSpan.FromSeconds(1), _ => stream.Predicted(AuditStream.Key, "fraud", 3, "198.51.100.7")));

        Assert.Equal(3, detections.Count);
        Assert.False(detections[0].IsContinuation);
        Assert.All(detections.Skip(1), d => Assert.True(d.IsContinuation));
    }

    [Fact]
    public void Observe_QueryBudgetExhausted_FiresHighThenContinues()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var exhausted = stream.Event(DetectionCodes.QueryBudgetExhausted, "model.predict", AuditStream.Key, "model/fraud", "denied", "198.51.100.7",
            new Dictionary<string, object?> { ["budget"] = 10_000 }, "default");

        var first = Assert.Single(engine.Observe(exhausted));
        stream.Advance(TimeSpan.FromMinutes(5));
        var again = Assert.Single(engine.Observe(stream.Event(DetectionCodes.QueryBudgetExhausted, "model.predict", AuditStream.Key, "model/fraud", "denied", "198.51.100.7")));

        Assert.Equal(DetectionRuleIds.BudgetExhausted, first.RuleId);
        Assert.Equal(AuditStream.Key, first.Subject);
        Assert.Equal(DetectionSeverity.High, first.Severity);
        Assert.Equal([exhausted.Sequence], first.EvidenceSequences);
        Assert.False(first.IsContinuation);
        Assert.True(again.IsContinuation);
    }
}
