using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Projects;

/// <summary>
/// Which projects exist, kept in memory because every authenticated request asks. A miss re-reads the table at most
/// once per <see cref="MissRefresh"/>, so a project created by another replica becomes usable within seconds while a
/// caller probing random names cannot turn each request into a query.
/// </summary>
internal sealed class ProjectDirectory(IDbContextFactory<BulwarkDbContext> contexts, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan MissRefresh = TimeSpan.FromSeconds(5);
    private volatile HashSet<string>? _ids;
    private DateTimeOffset _loadedAt;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask<bool> ExistsAsync(string projectId, CancellationToken cancellationToken = default)
    {
        var ids = _ids;
        if (ids is not null && ids.Contains(projectId))
        {
            return true;
        }

        if (ids is not null && time.GetUtcNow() - _loadedAt < MissRefresh)
        {
            return false;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            _ids = (await db.Projects.AsNoTracking().Select(p => p.Id).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            _loadedAt = time.GetUtcNow();
            return _ids.Contains(projectId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Called after a project is created or deleted in this process.</summary>
    public void Invalidate() => _ids = null;

    public void Dispose() => _gate.Dispose();
}
