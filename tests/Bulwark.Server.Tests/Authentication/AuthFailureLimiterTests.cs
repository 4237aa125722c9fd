using System.Net;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.Authentication;

public sealed class AuthFailureLimiterTests
{
    private static readonly string Attacker = RateLimiting.AnonymousPartition(IPAddress.Parse("2001:db8:1:2::1"));
    private static readonly string Neighbour = RateLimiting.AnonymousPartition(IPAddress.Parse("2001:db8:1:3::1"));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private AuthFailureLimiter Create(int limit = 3, int maxPartitions = 1000) =>
        new(Options.Create(new RateLimitOptions { AuthFailuresPerMinute = limit, AuthFailureMaxPartitions = maxPartitions }), _time);

    [Fact]
    public void Check_LimitFailuresRecorded_BlocksAndAnnouncesOnce()
    {
        var limiter = Create();
        for (var i = 0; i < 2; i++)
        {
            Assert.True(limiter.RecordFailure(Attacker));
        }

        Assert.False(limiter.Check(Attacker).Blocked);
        Assert.True(limiter.RecordFailure(Attacker));

        var first = limiter.Check(Attacker);
        Assert.True(first.Blocked);
        Assert.True(first.FirstRejection);
        Assert.Equal(AuthFailureLimiter.Window, first.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(20));
        var second = limiter.Check(Attacker);
        Assert.True(second.Blocked);
        Assert.False(second.FirstRejection);
        Assert.Equal(TimeSpan.FromSeconds(40), second.RetryAfter);
    }

    [Fact]
    public void RecordFailure_OverLimit_ReturnsFalseSoItIsNotAuditedAgain()
    {
        var limiter = Create(limit: 2);
        Assert.True(limiter.RecordFailure(Attacker));
        Assert.True(limiter.RecordFailure(Attacker));
        Assert.False(limiter.RecordFailure(Attacker));
    }

    [Fact]
    public void Check_OtherPartitionWhileOneIsBlocked_IsOpen()
    {
        var limiter = Create();
        for (var i = 0; i < 10; i++)
        {
            limiter.RecordFailure(Attacker);
        }

        Assert.True(limiter.Check(Attacker).Blocked);
        Assert.False(limiter.Check(Neighbour).Blocked);

        // Rotating the interface identifier inside the same /64 (RFC 8981) does not escape the block.
        Assert.True(limiter.Check(RateLimiting.AnonymousPartition(IPAddress.Parse("2001:db8:1:2:dead:beef:0:7"))).Blocked);
    }

    [Fact]
    public void Check_WindowPassed_IsEvaluatedAgain()
    {
        var limiter = Create();
        for (var i = 0; i < 5; i++)
        {
            limiter.RecordFailure(Attacker);
        }

        Assert.True(limiter.Check(Attacker).Blocked);
        _time.Advance(AuthFailureLimiter.Window - TimeSpan.FromSeconds(1));
        Assert.True(limiter.Check(Attacker).Blocked);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(limiter.Check(Attacker).Blocked);

        // The new window counts from zero and announces its own block once.
        Assert.True(limiter.RecordFailure(Attacker));
        Assert.False(limiter.Check(Attacker).Blocked);
        limiter.RecordFailure(Attacker);
        limiter.RecordFailure(Attacker);
        Assert.True(limiter.Check(Attacker).FirstRejection);
    }

    [Fact]
    public void RecordFailure_ManyPartitions_TableStaysBoundedAndOverflowIsNeverRefusedButNotAudited()
    {
        var limiter = Create(limit: 3, maxPartitions: 8);
        for (var i = 0; i < 1000; i++)
        {
            limiter.RecordFailure(RateLimiting.AnonymousPartition(IPAddress.Parse($"2001:db8:{i:x}::1")));
        }

        Assert.True(limiter.TrackedPartitions <= 9, $"tracked {limiter.TrackedPartitions}");

        // Fresh networks beyond the cap are not refused (an attacker filling the table must not lock new clients
        // out), but their failures share the overflow partition, which is over its limit: no audit row each.
        var untracked = RateLimiting.AnonymousPartition(IPAddress.Parse("2001:db8:ffff::1"));
        Assert.False(limiter.Check(untracked).Blocked);
        Assert.False(limiter.RecordFailure(untracked));

        // Once the windows expire they are swept and fresh partitions are tracked on their own again.
        _time.Advance(AuthFailureLimiter.Window + TimeSpan.FromSeconds(1));
        var fresh = RateLimiting.AnonymousPartition(IPAddress.Parse("192.0.2.9"));
        Assert.True(limiter.RecordFailure(fresh));
        Assert.False(limiter.Check(fresh).Blocked);
        Assert.True(limiter.TrackedPartitions <= 2, $"tracked {limiter.TrackedPartitions}");
    }
}
