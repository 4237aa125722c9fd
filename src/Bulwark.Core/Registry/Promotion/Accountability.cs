using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Registry;

/// <summary>
/// Who is accountable for a principal, for separation of duties: a user is accountable for themselves; an API key or
/// OAuth client for whoever created it, followed up the chain (a key created by a key created by a user → that user).
/// Without this, the engineer who trained a model could create a second key and approve their own work with it.
/// </summary>
internal static class Accountability
{
    private const int MaxHops = 8;

    public static async Task<string> ResolveAsync(BulwarkDbContext db, string principal, CancellationToken ct)
    {
        var current = principal;
        for (var hop = 0; hop < MaxHops; hop++)
        {
            string? creator = null;
            if (current.StartsWith("key:", StringComparison.Ordinal))
            {
                var prefix = current[4..];
                creator = await db.ApiKeys.AsNoTracking().Where(k => k.Prefix == prefix).Select(k => k.CreatedBy).FirstOrDefaultAsync(ct);
            }
            else if (current.StartsWith("client:", StringComparison.Ordinal))
            {
                var clientId = current[7..];
                creator = await db.OAuthClients.IgnoreQueryFilters().AsNoTracking().Where(c => c.ClientId == clientId).Select(c => c.CreatedBy).FirstOrDefaultAsync(ct);
            }

            if (string.IsNullOrEmpty(creator) || creator == current)
            {
                return current;
            }

            current = creator;
        }

        return current;
    }
}
