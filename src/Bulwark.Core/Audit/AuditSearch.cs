using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Audit;

/// <summary>
/// Reads the ledger for auditors: filters, keyset pagination by sequence (stable while events are appended), and
/// project scoping — a project's auditors see that project's events, instance-wide events only when they may.
/// </summary>
internal sealed class AuditSearch(IDbContextFactory<BulwarkDbContext> contexts)
{
    public const int MaxPageSize = 500;

    public sealed record Query(
        string ProjectId,
        bool IncludeInstanceEvents,
        string? Principal,
        string? Action,
        string? Resource,
        string? Outcome,
        DateTimeOffset? From,
        DateTimeOffset? To,
        long After,
        int Limit);

    public async Task<(IReadOnlyList<AuditEvent> Events, long? Next)> SearchAsync(Query query, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var events = db.AuditEvents.AsNoTracking().Where(e => e.Sequence > query.After);
        events = query.IncludeInstanceEvents
            ? events.Where(e => e.ProjectId == query.ProjectId || e.ProjectId == null)
            : events.Where(e => e.ProjectId == query.ProjectId);
        if (query.Principal is { } principal)
        {
            events = events.Where(e => e.Principal == principal);
        }

        if (query.Action is { } action)
        {
            events = events.Where(e => e.Action == action);
        }

        if (query.Resource is { } resource)
        {
            // A prefix, so "model/fraud" finds every version's events.
            events = events.Where(e => e.Resource.StartsWith(resource));
        }

        if (query.Outcome is { } outcome)
        {
            events = events.Where(e => e.Outcome == outcome);
        }

        if (query.From is { } from)
        {
            events = events.Where(e => e.Timestamp >= from);
        }

        if (query.To is { } to)
        {
            events = events.Where(e => e.Timestamp < to);
        }

        var page = await events.OrderBy(e => e.Sequence).Take(query.Limit + 1).ToListAsync(cancellationToken);
        var more = page.Count > query.Limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }

        return (page, more ? page[^1].Sequence : null);
    }
}
