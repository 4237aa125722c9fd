using Bulwark.Core.Crypto;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Bulwark.Server.Tests.Crypto;

/// <summary>Scheduled rotation on the fake clock, and its configuration checked at startup.</summary>
public sealed class KeyRotationWorkerTests
{
    [Fact]
    public async Task Worker_RotatesOnlyOnceThePrimaryIsOlderThanRotateEvery()
    {
        // The hosted worker stays off (TestServer's default) and the server's clock stays put, so no other timer fires:
        // this worker runs the same check with scheduled rotation on and its own clock.
        await using var server = await TestServer.StartAsync();
        var clock = new FakeTimeProvider(server.Time.GetUtcNow());
        var options = Options.Create(new KeysOptions { ScheduledRotation = true, RotateEvery = TimeSpan.FromDays(10), CheckEvery = TimeSpan.FromDays(1) });
        var keyRing = server.App.Services.GetRequiredService<KeyRingService>();
        var worker = new KeyRotationWorker(keyRing, options, clock, NullLogger<KeyRotationWorker>.Instance);
        var ring = server.App.Services.GetRequiredService<KeyRing>();
        var first = ring.PrimaryKeyId;

        clock.Advance(TimeSpan.FromDays(9));
        Assert.Null(await worker.RotateIfDueAsync());
        Assert.Equal(first, ring.PrimaryKeyId);

        clock.Advance(TimeSpan.FromDays(1));
        var second = await worker.RotateIfDueAsync();
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.Equal(second, ring.PrimaryKeyId);

        // The new primary is young (created on the server's clock): a check on that clock does nothing.
        var onServerClock = new KeyRotationWorker(keyRing, options, server.Time, NullLogger<KeyRotationWorker>.Instance);
        Assert.Null(await onServerClock.RotateIfDueAsync());
        Assert.Equal(second, ring.PrimaryKeyId);
    }

    [Fact]
    public async Task ChecksThatRace_RotateOnce()
    {
        // Eight due checks at once (two timers, two replicas' worth of workers in one process): one new primary.
        await using var server = await TestServer.StartAsync();
        var ring = server.App.Services.GetRequiredService<KeyRing>();
        var versionsBefore = ring.Versions.Count;
        // One clock for the check and the new key's creation time, so the new primary is young to every later check.
        server.Time.Advance(TimeSpan.FromDays(11));
        var clock = server.Time;
        var options = Options.Create(new KeysOptions { ScheduledRotation = true, RotateEvery = TimeSpan.FromDays(10), CheckEvery = TimeSpan.FromDays(1) });
        var keyRing = server.App.Services.GetRequiredService<KeyRingService>();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => new KeyRotationWorker(keyRing, options, clock, NullLogger<KeyRotationWorker>.Instance).RotateIfDueAsync())));

        Assert.Single(results, r => r is not null);
        Assert.Equal(versionsBefore + 1, ring.Versions.Count);
    }

    [Fact]
    public async Task Worker_ScheduledRotationOff_NeverRotates()
    {
        // The server's own options (TestServer switches scheduled rotation off) on a clock four hundred days ahead.
        await using var server = await TestServer.StartAsync();
        var ring = server.App.Services.GetRequiredService<KeyRing>();
        var first = ring.PrimaryKeyId;
        var options = server.App.Services.GetRequiredService<IOptions<KeysOptions>>();
        Assert.False(options.Value.ScheduledRotation);
        var clock = new FakeTimeProvider(server.Time.GetUtcNow() + TimeSpan.FromDays(400));
        var worker = new KeyRotationWorker(server.App.Services.GetRequiredService<KeyRingService>(), options, clock, NullLogger<KeyRotationWorker>.Instance);

        Assert.Null(await worker.RotateIfDueAsync());
        Assert.Equal(first, ring.PrimaryKeyId);
    }

    [Theory]
    [InlineData("Bulwark:Keys:RotateEvery", "12:00:00")]
    [InlineData("Bulwark:Keys:Provider", "vault")]
    [InlineData("Bulwark:Keys:CheckEvery", "00:00:01")]
    public async Task Startup_WeakOrUnknownKeyConfiguration_Refuses(string key, string value)
    {
        var dataDir = TestServer.NewDataDir();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        await TestServer.InitAsync(dataDir, time);

        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = TestServer.Build(dataDir, time, new Dictionary<string, string?> { [key] = value });
            await app.StartAsync();
        });
        Assert.True(ex is OptionsValidationException or SecurityConfigurationException, ex.ToString());
        Assert.Contains(key.Split(':')[^1], ex.Message, StringComparison.Ordinal);
    }
}
