using Bulwark.Core.Storage;
using Bulwark.Core.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Incidents;

/// <summary>Feeds <c>bulwark.incidents.open</c>: counted at scrape time (one indexed count), so it is never stale.</summary>
internal static class OpenIncidentsGauge
{
    public static void Register(IServiceProvider services)
    {
        var contexts = services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>();
        services.GetRequiredService<BulwarkMetrics>().ObserveOpenIncidents(() =>
        {
            using var db = contexts.CreateDbContext();
            return db.Incidents.LongCount(i => i.State != IncidentState.Closed);
        });
    }
}
