using Bulwark.Core.Incidents;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Incidents;

/// <summary>The regulatory clocks, driven by the fake clock: each reminder once, in order, none after closing.</summary>
public sealed class IncidentDeadlineTests
{
    private static async Task<int> OpenAsync(CoreTestEnvironment env, bool personal, bool health)
    {
        await using var scope = env.Scope();
        var outcome = await scope.ServiceProvider.GetRequiredService<IncidentService>()
            .OpenAsync(new NewIncident("Breach", "high", "other", null, null, personal, health), "user:test", null);
        Assert.True(outcome.Succeeded, outcome.Failure?.Detail);
        return outcome.Value.Number;
    }

    private static async Task<List<string>> RemindAsync(CoreTestEnvironment env)
    {
        await using var scope = env.Scope();
        var due = await scope.ServiceProvider.GetRequiredService<IncidentService>().RecordDueRemindersAsync(new IncidentsOptions());
        return [.. due.Select(d => d.Reminder.Id)];
    }

    [Fact]
    public async Task Reminders_GdprAndHipaa_EachOnceInOrder()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await OpenAsync(env, personal: true, health: true);

        Assert.Empty(await RemindAsync(env));
        env.Time.Advance(TimeSpan.FromHours(47));
        Assert.Empty(await RemindAsync(env));
        env.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(["gdpr-72h@1440m"], await RemindAsync(env));
        Assert.Empty(await RemindAsync(env));
        env.Time.Advance(TimeSpan.FromHours(18));
        Assert.Equal(["gdpr-72h@360m"], await RemindAsync(env));
        env.Time.Advance(TimeSpan.FromHours(6));
        Assert.Equal(["gdpr-72h@due"], await RemindAsync(env));
        Assert.Empty(await RemindAsync(env));
        env.Time.Advance(TimeSpan.FromDays(42) + TimeSpan.FromHours(23));
        Assert.Empty(await RemindAsync(env));
        env.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(["hipaa-60d@20160m"], await RemindAsync(env));
        env.Time.Advance(TimeSpan.FromDays(11));
        Assert.Equal(["hipaa-60d@4320m"], await RemindAsync(env));
        env.Time.Advance(TimeSpan.FromDays(3));
        Assert.Equal(["hipaa-60d@due"], await RemindAsync(env));

        await using var scope = env.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        Assert.Equal(6, await db.IncidentEntries.CountAsync(e => e.Kind == "reminder"));
        Assert.Equal(6, await db.AuditEvents.CountAsync(e => e.Code == Core.Audit.AuditCodes.IncidentDeadlineReminder));
    }

    [Fact]
    public async Task Reminders_LateStart_OnlyTheMostUrgentOne()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await OpenAsync(env, personal: true, health: false);
        env.Time.Advance(TimeSpan.FromHours(80));

        Assert.Equal(["gdpr-72h@due"], await RemindAsync(env));
        Assert.Empty(await RemindAsync(env));
    }

    [Fact]
    public async Task Reminders_NoPersonalData_OrClosed_None()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await OpenAsync(env, personal: false, health: false);
        var closed = await OpenAsync(env, personal: true, health: true);
        await env.ExecuteSqlAsync($"UPDATE incidents SET state = {(int)IncidentState.Closed} WHERE number = {closed}");

        env.Time.Advance(TimeSpan.FromDays(61));

        Assert.Empty(await RemindAsync(env));
    }
}
