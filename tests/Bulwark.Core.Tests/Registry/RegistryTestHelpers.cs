using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Registry;

internal static class RegistryTestHelpers
{
    public static async Task<List<AuditEvent>> AuditAsync(this CoreTestEnvironment env, int code)
    {
        await using var scope = env.Scope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        return await db.AuditEvents.AsNoTracking().Where(e => e.Code == code).OrderBy(e => e.Sequence).ToListAsync();
    }
}
