using Bulwark.Core.Audit;
using Bulwark.Core.Incidents;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Incidents;

/// <summary>
/// Incident numbers are handed out as "highest + 1": responders opening incidents while the detection worker opens its
/// own, on one replica or two, must all get an incident (distinct numbers, no gaps), never a unique-index 500.
/// </summary>
public sealed class IncidentNumberTests
{
    [Fact]
    public async Task OpenAsync_TwentyAtOnceWithDetectionsOnTwoReplicas_AllSucceedWithDistinctNumbers()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using var replica = StartReplica(env);
        var opens = Enumerable.Range(0, 20).Select(i => Task.Run(() => OpenAsync(i % 2 == 0 ? env.Services : replica, i)));
        var detections = Enumerable.Range(0, 4).Select(i => Task.Run(() => DetectAsync(i % 2 == 0 ? env.Services : replica, i)));

        var numbers = await Task.WhenAll(opens.Concat(detections));

        Assert.Equal(Enumerable.Range(1, 24), numbers.Order());
        await using var scope = env.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        Assert.Equal(24, await db.AuditEvents.CountAsync(e => e.Code == AuditCodes.IncidentOpened));
        Assert.Equal(24, await db.IncidentEntries.CountAsync(e => e.Kind == "opened"));
        var chain = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync();
        Assert.True(chain.Valid, chain.Reason);
    }

    [Fact]
    public async Task OpenAsync_TwentyInParallelOnOneReplica_AllSucceedWithDistinctNumbers()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();

        var numbers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => OpenAsync(env.Services, i))));

        Assert.Equal(Enumerable.Range(1, 20), numbers.Order());
    }

    private static async Task<int> OpenAsync(IServiceProvider services, int i)
    {
        await using var scope = services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<IncidentService>()
            .OpenAsync(new NewIncident($"Responder report {i}", "high", "other", "alice", null, false, false), "user:test", null);
        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        return outcome.Value.Number;
    }

    private static async Task<int> DetectAsync(IServiceProvider services, int i)
    {
        await using var scope = services.CreateAsyncScope();
        var (incident, escalated) = await scope.ServiceProvider.GetRequiredService<IncidentService>().RecordSignalAsync(
            new IncidentSignal("auth.brute-force", "medium", $"203.0.113.{i}", "Brute force", "many failures", null, [], new Dictionary<string, string>()));
        Assert.True(escalated);
        return incident.Number;
    }

    /// <summary>A second process on the same database: its own ledger, caches and locks.</summary>
    private static ServiceProvider StartReplica(CoreTestEnvironment env)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Bulwark:DataDir"] = env.DataDir })
            .Build();
        return new ServiceCollection()
            .AddSingleton<TimeProvider>(env.Time)
            .AddLogging()
            .AddBulwarkCore(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }
}
