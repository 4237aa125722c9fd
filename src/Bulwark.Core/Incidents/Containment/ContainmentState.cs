using System.Net;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Incidents.Containment;

/// <summary>
/// The controls in force, read on every request without I/O. The replica that applies a control updates this at once
/// (effective on its very next request); every replica re-reads the table every second (<see cref="ContainmentSync"/>).
/// </summary>
internal sealed class ContainmentState(IDbContextFactory<BulwarkDbContext> contexts, Serving.LoadedModelCache models)
{
    private volatile Snapshot _current = Snapshot.Empty;
    private HashSet<Guid> _quarantined = [];

    public bool Lockdown => _current.Lockdown;
    public bool Frozen => _current.Frozen;
    public IReadOnlyList<IPNetwork> BlockedNetworks => _current.Networks;

    /// <summary>True when <paramref name="address"/> lies in a blocked network (IPv4-mapped IPv6 addresses are compared as IPv4).</summary>
    public bool IsBlocked(IPAddress? address)
    {
        var networks = _current.Networks;
        if (networks.Length == 0 || address is null)
        {
            return false;
        }

        var normalized = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in networks)
        {
            // Networks are canonical (IPv4-mapped ones held as IPv4, see Snapshot.Of), so the IPv4 form matches them.
            if (network.Contains(normalized))
            {
                return true;
            }
        }

        return false;
    }

    public async Task SyncAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var active = await db.ContainmentControls.AsNoTracking().Where(c => c.LiftedAt == null).ToListAsync(cancellationToken);
        _current = Snapshot.Of(active);

        // A version quarantined on another replica: drop this replica's loaded copy of that model, so its next request
        // resolves again (and meets the quarantine or the fallback version).
        var quarantined = await db.ModelVersions.IgnoreQueryFilters().AsNoTracking().Where(v => v.Stage == Registry.ModelStage.Quarantined)
            .Select(v => new { v.Id, v.ProjectId, v.ModelName }).ToListAsync(cancellationToken);
        foreach (var v in quarantined.Where(v => !_quarantined.Contains(v.Id)))
        {
            models.Invalidate(v.ProjectId, v.ModelName);
        }

        _quarantined = [.. quarantined.Select(v => v.Id)];
    }

    private sealed record Snapshot(bool Lockdown, bool Frozen, IPNetwork[] Networks)
    {
        public static readonly Snapshot Empty = new(false, false, []);

        public static Snapshot Of(IEnumerable<ContainmentControl> active)
        {
            var list = active.ToList();
            var networks = list.Where(c => c.Kind == ContainmentKinds.NetworkBlock)
                .Select(c => BlockedNetwork.TryParseCanonical(c.Value, out var n) ? n : (IPNetwork?)null)
                .OfType<IPNetwork>().ToArray();
            return new Snapshot(list.Any(c => c.Kind == ContainmentKinds.Lockdown), list.Any(c => c.Kind == ContainmentKinds.Freeze), networks);
        }
    }
}
