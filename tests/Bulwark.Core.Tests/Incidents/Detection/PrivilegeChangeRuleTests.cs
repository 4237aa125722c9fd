using Bulwark.Core.Audit;
using Bulwark.Core.Incidents.Detection;

namespace Bulwark.Core.Tests.Incidents.Detection;

public sealed class PrivilegeChangeRuleTests
{
    private const string Bob = "user:0195a1c2-7d3e-7a10-8b1c-000000000b0b";

    private static DetectionEngine Engine() => AuditStream.Engine(o => o.AdminOffHours.Enabled = false);

    [Theory]
    [InlineData("admin", "fraud-team", DetectionSeverity.High)]
    [InlineData("security-officer", "*", DetectionSeverity.High)]
    [InlineData("auditor", "*", DetectionSeverity.Medium)]
    [InlineData("data-scientist", "fraud-team", DetectionSeverity.Low)]
    public void Observe_MembershipGranted_SeverityFollowsTheRole(string role, string project, string severity)
    {
        var stream = new AuditStream();
        var grant = stream.Granted(AuditStream.Alice, Bob, role, project);

        var detection = Assert.Single(Engine().Observe(grant));

        Assert.Equal(DetectionRuleIds.PrivilegeChange, detection.RuleId);
        Assert.Equal(severity, detection.Severity);
        Assert.Equal(AuditStream.Alice, detection.Subject);
        Assert.Equal([grant.Sequence], detection.EvidenceSequences);
        Assert.Equal(role, detection.Facts["role"]);
        Assert.Equal(Bob, detection.Facts["target"]);
    }

    [Fact]
    public void Observe_EveryChange_IsItsOwnDetection()
    {
        var engine = Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine, stream.Repeat(3, TimeSpan.FromSeconds(1), _ => stream.Granted(AuditStream.Alice, Bob, "ml-engineer", "fraud-team")));

        Assert.Equal(3, detections.Count);
        Assert.All(detections, d => Assert.False(d.IsContinuation));
    }

    [Fact]
    public void Observe_SecurityControlChanges_AreMediumOrHigh()
    {
        var engine = Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine,
        [
            stream.Event(AuditCodes.PolicyChanged, "policy.change", AuditStream.Alice, "policy/7", "success", "192.0.2.10",
                new Dictionary<string, object?> { ["version"] = 7, ["digest"] = "sha256:aa", ["previousDigest"] = "sha256:bb", ["policies"] = 3, ["severity"] = "high" }),
            stream.Event(AuditCodes.RoleDefined, "role.define", AuditStream.Alice, "role/key-custodian", "success", "192.0.2.10",
                new Dictionary<string, object?> { ["permissions"] = "keys:manage models:read" }),
            stream.Event(AuditCodes.MfaReset, "mfa.reset", AuditStream.Alice, "user/bob", "success", "192.0.2.10", new Dictionary<string, object?> { ["severity"] = "high" }),
            stream.Event(AuditCodes.ApiKeyCreated, "key.create", AuditStream.Alice, "key/bwk_00000000aaaa", "success", "192.0.2.10",
                new Dictionary<string, object?> { ["name"] = "ops", ["scopes"] = "admin", ["expiresAt"] = null }, "default"),
        ]);

        Assert.Equal([DetectionSeverity.Medium, DetectionSeverity.Medium, DetectionSeverity.Medium, DetectionSeverity.High], detections.Select(d => d.Severity));
        Assert.Equal("7", detections[0].Facts["version"]);
        Assert.False(detections[0].Facts.ContainsKey("digest"));
        Assert.Equal("admin", detections[3].Facts["scopes"]);
    }

    [Fact]
    public void Observe_RoutineChanges_AreLow()
    {
        var engine = Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine,
        [
            stream.Event(AuditCodes.SigningKeyRotated, "token.rotate-key", AuditStream.Alice, "signing-key/k2", "success", "192.0.2.10"),
            stream.Event(AuditCodes.UserCreated, "user.create", AuditStream.Alice, "user/carol", "success", "192.0.2.10",
                new Dictionary<string, object?> { ["clearance"] = "internal" }),
            stream.Event(AuditCodes.ApiKeyCreated, "key.create", AuditStream.Alice, "key/bwk_00000000bbbb", "success", "192.0.2.10",
                new Dictionary<string, object?> { ["name"] = "scoring", ["scopes"] = "predict:fraud", ["expiresAt"] = null }, "default"),
            stream.Event(AuditCodes.RoleDefined, "role.define", AuditStream.Alice, "role/reader", "success", "192.0.2.10",
                new Dictionary<string, object?> { ["permissions"] = "datasets:read models:read" }),
        ]);

        Assert.Equal(4, detections.Count);
        Assert.All(detections, d => Assert.Equal(DetectionSeverity.Low, d.Severity));
    }

    [Fact]
    public void Observe_RefusedOrOrdinaryEvents_StayQuiet()
    {
        var engine = Engine();
        var stream = new AuditStream();

        var detections = AuditStream.Run(engine,
        [
            stream.Event(AuditCodes.PolicyRejected, "policy.change", AuditStream.Alice, "policy", "rejected", "192.0.2.10",
                new Dictionary<string, object?> { ["code"] = "policy.invalid" }),
            stream.Event(AuditCodes.AccessDenied, "project.grant", Bob, "user:someone", "denied", "192.0.2.10"),
            stream.Event(AuditCodes.DatasetImported, "dataset.import", AuditStream.Alice, "dataset/1", "success", "192.0.2.10", project: "default"),
            stream.Event(AuditCodes.LoginSucceeded, "auth.login", AuditStream.Alice, "user/alice", "success", "192.0.2.10"),
        ]);

        Assert.Empty(detections);
    }
}
