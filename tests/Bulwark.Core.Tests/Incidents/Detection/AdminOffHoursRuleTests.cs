using Bulwark.Core.Audit;
using Bulwark.Core.Incidents.Detection;

namespace Bulwark.Core.Tests.Incidents.Detection;

public sealed class AdminOffHoursRuleTests
{
    private const string Bob = "user:0195a1c2-7d3e-7a10-8b1c-000000000b0b";

    private static DetectionEngine Engine(Action<DetectionOptions>? configure = null) => AuditStream.Engine(o =>
    {
        o.PrivilegeChange.Enabled = false;
        configure?.Invoke(o);
    });

    private static DateTimeOffset Utc(int day, int hour, int minute = 0) => new(2025, 3, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_GrantOnSaturdayNight_FiresHighOnTheActor()
    {
        var stream = new AuditStream { Now = Utc(8, 2, 13) };
        var grant = stream.Granted(AuditStream.Alice, Bob, "admin", "*", "203.0.113.9");

        var detection = Assert.Single(Engine().Observe(grant));

        Assert.Equal(DetectionRuleIds.AdminOffHours, detection.RuleId);
        Assert.Equal(DetectionSeverity.High, detection.Severity);
        Assert.Equal(AuditStream.Alice, detection.Subject);
        Assert.Equal([grant.Sequence], detection.EvidenceSequences);
        Assert.Equal("Sat 02:13 UTC", detection.Facts["localTime"]);
        Assert.Equal("hours", detection.Facts["outside"]);
        Assert.Null(detection.ProjectId);
    }

    [Theory]
    [InlineData(4, 7, 0)]
    [InlineData(4, 18, 59)]
    [InlineData(7, 12, 0)]
    public void Observe_AdminActionInsideHours_StaysQuiet(int day, int hour, int minute)
    {
        var stream = new AuditStream { Now = Utc(day, hour, minute) };

        Assert.Empty(Engine().Observe(stream.Granted(AuditStream.Alice, Bob, "ml-engineer", "fraud-team")));
    }

    [Theory]
    [InlineData(4, 6, 59)]
    [InlineData(4, 19, 0)]
    [InlineData(9, 12, 0)]
    public void Observe_AdminActionJustOutsideHours_Fires(int day, int hour, int minute)
    {
        var stream = new AuditStream { Now = Utc(day, hour, minute) };

        Assert.Single(Engine().Observe(stream.Granted(AuditStream.Alice, Bob, "ml-engineer", "fraud-team")));
    }

    [Fact]
    public void Observe_AdminNetworksConfigured_ActionFromElsewhereFires()
    {
        var engine = Engine(o => o.AdminNetworks = ["10.0.0.0/8", "2001:db8:10::/48"]);
        var stream = new AuditStream();

        var inside = AuditStream.Run(engine,
        [
            stream.Granted(AuditStream.Alice, Bob, "auditor", "*", "10.1.2.3"),
            stream.Granted(AuditStream.Alice, Bob, "auditor", "*", "::ffff:10.1.2.3"),
            stream.Granted(AuditStream.Alice, Bob, "auditor", "*", "2001:db8:10:5::1"),
        ]);
        var outside = engine.Observe(stream.Granted(Bob, AuditStream.Alice, "auditor", "*", "203.0.113.9"));
        var unknown = engine.Observe(stream.Granted(AuditStream.Alice, Bob, "auditor", "*", null));

        Assert.Empty(inside);
        Assert.Equal("network", Assert.Single(outside).Facts["outside"]);
        Assert.Equal("203.0.113.9", outside[0].Facts["address"]);
        Assert.Single(unknown);
    }

    [Fact]
    public void Observe_ConfiguredTimeZone_HoursAreLocal()
    {
        var engine = Engine(o => o.AdminTimeZone = "Europe/Berlin");
        var stream = new AuditStream { Now = Utc(4, 6, 30) };

        // 06:30 UTC is 07:30 in Berlin (CET, UTC+1); 18:30 UTC is 19:30 there.
        var morning = engine.Observe(stream.Granted(AuditStream.Alice, Bob, "auditor", "*"));
        stream.Now = Utc(4, 18, 30);
        var evening = engine.Observe(stream.Granted(Bob, AuditStream.Alice, "auditor", "*"));

        Assert.Empty(morning);
        Assert.Equal("Tue 19:30 Europe/Berlin", Assert.Single(evening).Facts["localTime"]);
    }

    [Fact]
    public void Observe_OvernightHours_WrapMidnight()
    {
        var engine = Engine(o =>
        {
            o.AdminHours = "22:00-06:00";
            o.AdminDays = "Mon-Sun";
        });
        var stream = new AuditStream { Now = Utc(8, 23) };

        var night = engine.Observe(stream.Granted(AuditStream.Alice, Bob, "auditor", "*"));
        stream.Now = Utc(9, 12);
        var noon = engine.Observe(stream.Granted(Bob, AuditStream.Alice, "auditor", "*"));

        Assert.Empty(night);
        Assert.Single(noon);
    }

    [Fact]
    public void Observe_NonAdministrativeOrSystemEventsAtNight_StayQuiet()
    {
        var engine = Engine();
        var stream = new AuditStream { Now = Utc(8, 3) };

        var detections = AuditStream.Run(engine,
        [
            stream.Predicted(AuditStream.Alice, "fraud", 3, "203.0.113.9"),
            stream.Event(AuditCodes.LoginSucceeded, "auth.login", AuditStream.Alice, "user/alice", "success", "203.0.113.9"),
            stream.Event(AuditCodes.PasswordChanged, "user.password", AuditStream.Alice, "user/alice", "success", "203.0.113.9"),
            stream.Event(AuditCodes.UserCreated, "user.create", "system", "user/admin", "success", null),
            stream.Event(AuditCodes.AccessDenied, "project.grant", Bob, "user:someone", "denied", "203.0.113.9"),
        ]);

        Assert.Empty(detections);
    }

    [Fact]
    public void Observe_SeveralNightActionsBySameActor_OneDetectionThenContinuations()
    {
        var engine = Engine();
        var stream = new AuditStream { Now = Utc(8, 2) };

        var detections = AuditStream.Run(engine,
        [
            stream.Granted(AuditStream.Alice, Bob, "admin", "*"),
            stream.Event(AuditCodes.ApiKeyCreated, "key.create", AuditStream.Alice, "key/bwk_00000000cccc", "success", "192.0.2.10",
                new Dictionary<string, object?> { ["name"] = "x", ["scopes"] = "admin", ["expiresAt"] = null }, "default"),
            stream.Event(AuditCodes.SigningKeyRotated, "token.rotate-key", AuditStream.Alice, "signing-key/k3", "success", "192.0.2.10"),
        ]);

        Assert.Equal([false, true, true], detections.Select(d => d.IsContinuation));
        Assert.All(detections, d => Assert.Equal(AuditStream.Alice, d.Subject));
    }
}
