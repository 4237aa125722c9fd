using Bulwark.Core.Audit;
using Bulwark.Core.Incidents.Detection;

namespace Bulwark.Core.Tests.Incidents.Detection;

public sealed class IntegrityRulesTests
{
    private static AuditEvent IntegrityFailure(AuditStream stream, string action = "model.load") =>
        stream.Event(AuditCodes.ModelIntegrityFailure, action, "system", "model/fraud/3", "failure", null,
            new Dictionary<string, object?> { ["code"] = "registry.signature-invalid", ["reason"] = "digest mismatch", ["versionId"] = "0195a1c2-0000-7000-8000-000000000003" },
            "default");

    private static AuditEvent Verified(AuditStream stream, bool valid) =>
        stream.Event(AuditCodes.AuditVerified, "audit.verify", AuditStream.Alice, "audit", valid ? "success" : "failure", "192.0.2.10",
            new Dictionary<string, object?> { ["eventsVerified"] = valid ? 812 : 41, ["firstBrokenSequence"] = valid ? null : 42L });

    [Fact]
    public void Observe_ModelIntegrityFailure_FiresCriticalAtOnce()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var failure = IntegrityFailure(stream);

        var detection = Assert.Single(engine.Observe(failure));

        Assert.Equal(DetectionRuleIds.ModelIntegrity, detection.RuleId);
        Assert.Equal(DetectionSeverity.Critical, detection.Severity);
        Assert.Equal("model/fraud/3", detection.Subject);
        Assert.Equal([failure.Sequence], detection.EvidenceSequences);
        Assert.Equal("registry.signature-invalid", detection.Facts["code"]);
        Assert.Equal("default", detection.ProjectId);
        Assert.False(detection.Facts.ContainsKey("reason"));
    }

    [Fact]
    public void Observe_RepeatedLoadFailuresOfTheSameVersion_ContinueTheFirst()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(3, TimeSpan.FromMinutes(1), _ => IntegrityFailure(stream)));

        Assert.Equal([false, true, true], detections.Select(d => d.IsContinuation));
    }

    [Fact]
    public void Observe_ModelLoadsAndPromotions_StayQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine,
        [
            stream.Event(AuditCodes.ModelPromoted, "model.promote", AuditStream.Alice, "model/fraud/3", "success", "192.0.2.10", project: "default"),
            stream.Event(AuditCodes.ModelImported, "model.import", AuditStream.Alice, "model/fraud/4", "success", "192.0.2.10", project: "default"),
        ]);

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_AuditVerificationFailed_FiresCriticalWithBrokenSequence()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();
        var failed = Verified(stream, valid: false);

        var detection = Assert.Single(engine.Observe(failed));

        Assert.Equal(DetectionRuleIds.AuditChain, detection.RuleId);
        Assert.Equal(DetectionSeverity.Critical, detection.Severity);
        Assert.Equal("audit", detection.Subject);
        Assert.Equal([failed.Sequence], detection.EvidenceSequences);
        Assert.Equal("42", detection.Facts["firstBrokenSequence"]);
        Assert.Equal(AuditStream.Alice, detection.Facts["verifiedBy"]);
    }

    [Fact]
    public void Observe_AuditVerificationPassed_StaysQuiet()
    {
        var engine = AuditStream.Engine();
        var stream = new AuditStream();

        Assert.Empty(AuditStream.Run(engine, stream.Repeat(5, TimeSpan.FromHours(1), _ => Verified(stream, valid: true))));
    }
}
