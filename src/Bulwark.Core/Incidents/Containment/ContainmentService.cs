using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Bulwark.Core.Access;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Incidents.Containment;

/// <summary>
/// Containment actions. Each one commits with its audit event, updates this replica's <see cref="ContainmentState"/> (or
/// the revocation list / key cache) before returning, so the very next request meets it; other replicas within a second.
/// Taken under an incident, an action lands on its timeline and ticks the matching checklist item.
/// </summary>
internal sealed class ContainmentService(
    BulwarkDbContext db,
    AuditLedger audit,
    ContainmentState state,
    RevocationService revocations,
    ApiKeyService apiKeys,
    OAuthClientService clients,
    UserService users,
    UserDirectory directory,
    ModelQuarantine quarantine,
    IncidentService incidents,
    TimeProvider time)
{
    public const string Invalid = "containment.invalid";
    public const string NotFound = "containment.not-found";
    public const string OwnNetwork = "containment.own-network";
    public const string NetworkTooWide = "containment.network-too-wide";
    public const string Forbidden = "auth.forbidden";

    public Task<Outcome<ContainmentControl>> SetLockdownAsync(bool on, string reason, int? incident, string actor, string? client, CancellationToken ct = default) =>
        SetFlagAsync(ContainmentKinds.Lockdown, on, reason, incident, actor, client, on ? AuditCodes.LockdownEnabled : AuditCodes.LockdownLifted, ct);

    public Task<Outcome<ContainmentControl>> SetFreezeAsync(bool on, string reason, int? incident, string actor, string? client, CancellationToken ct = default) =>
        SetFlagAsync(ContainmentKinds.Freeze, on, reason, incident, actor, client, on ? AuditCodes.ChangesFrozen : AuditCodes.ChangesUnfrozen, ct);

    /// <summary>
    /// Blocks a network (see <see cref="BlockedNetwork"/> for what may be blocked). <paramref name="callerAddress"/> is the
    /// address the request came from: a block covering it is refused, or the responder would lock themselves out mid-incident.
    /// </summary>
    public async Task<Outcome<ContainmentControl>> BlockNetworkAsync(string cidr, string reason, int? incident, string actor, string? client,
        IPAddress? callerAddress, CancellationToken ct = default)
    {
        var parsed = BlockedNetwork.Parse(cidr);
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        if (CheckReason(reason) is { } bad)
        {
            return bad;
        }

        var network = parsed.Value;
        if (callerAddress is not null && BlockedNetwork.Contains(network, callerAddress))
        {
            return new Failure(OwnNetwork, 400, $"{network} contains your own address; block it from elsewhere.");
        }

        var value = network.ToString();
        var active = await ActiveBlocksAsync(ct);
        if (active.Where(a => a.Network == network).Select(a => a.Control).FirstOrDefault() is { } existing)
        {
            return existing;
        }

        var blocked = BlockedIPv4Addresses([.. active.Select(a => a.Network), network]);
        if (blocked > BlockedNetwork.MaxBlockedIPv4Addresses)
        {
            return new Failure(NetworkTooWide, 400, string.Create(CultureInfo.InvariantCulture,
                $"Blocking {value} would put {blocked:N0} IPv4 addresses behind network blocks; at most {BlockedNetwork.MaxBlockedIPv4Addresses:N0} (sixteen /8s) may be. To stop everyone, use lockdown."));
        }

        var control = New(ContainmentKinds.NetworkBlock, value, reason, incident, actor);
        db.ContainmentControls.Add(control);
        await audit.SaveChangesAsync(db, Entry(AuditCodes.NetworkBlocked, "containment.block-network", actor, "network/" + value, client, reason, incident), ct);
        await AfterAsync(incident, IncidentPlaybooks.BlockNetwork, $"blocked network {value}: {reason}", actor, client, ct);
        return control;
    }

    public async Task<Outcome<ContainmentControl>> UnblockNetworkAsync(string cidr, string reason, string actor, string? client, CancellationToken ct = default)
    {
        // No width rules here: a block made before they existed must still be liftable.
        if (!BlockedNetwork.TryParseCanonical(cidr, out var network))
        {
            return new Failure(Invalid, 400, "network is an IP address or CIDR range.");
        }

        var value = network.ToString();
        var control = (await ActiveBlocksAsync(ct)).Where(a => a.Network == network).Select(a => a.Control).FirstOrDefault();
        if (control is null)
        {
            return new Failure(NotFound, 404, $"Network {value} is not blocked.");
        }

        control.LiftedAt = time.GetUtcNow();
        control.LiftedBy = actor;
        await audit.SaveChangesAsync(db, Entry(AuditCodes.NetworkUnblocked, "containment.unblock-network", actor, "network/" + value, client, reason, null), ct);
        await state.SyncAsync(ct);
        return control;
    }

    /// <summary>Active network blocks with their canonical networks (rows stored in IPv4-mapped form before canonicalisation included).</summary>
    private async Task<List<(IPNetwork Network, ContainmentControl Control)>> ActiveBlocksAsync(CancellationToken ct) =>
        [.. (await db.ContainmentControls.Where(c => c.Kind == ContainmentKinds.NetworkBlock && c.LiftedAt == null).ToListAsync(ct))
            .Select(c => (Ok: BlockedNetwork.TryParseCanonical(c.Value, out var n), Network: n, Control: c)).Where(x => x.Ok).Select(x => (x.Network, x.Control))];

    /// <summary>IPv4 addresses covered by the union of <paramref name="networks"/> (overlaps counted once).</summary>
    private static long BlockedIPv4Addresses(IEnumerable<IPNetwork> networks)
    {
        long total = 0, end = -1;
        foreach (var (first, size) in networks.Where(n => n.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            .Select(n => ((long)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(n.BaseAddress.GetAddressBytes()), BlockedNetwork.IPv4Size(n))).Order())
        {
            var last = first + size - 1;
            if (last > end)
            {
                total += last - Math.Max(first, end + 1) + 1;
                end = last;
            }
        }

        return total;
    }

    /// <summary>
    /// Revokes every credential of a principal: for a user, every access token, session and refresh token; for an API
    /// key, the key; for an OAuth client, the client and every token it holds.
    /// </summary>
    /// <remarks>
    /// The principal may be written in any form its parts parse in (a GUID in upper case, braces or without dashes); the
    /// revocation is always recorded under the canonical id that tokens carry, or it would answer "revoked" and match
    /// nothing. Only an instance admin (<paramref name="callerIsAdmin"/>) may revoke an admin or security officer, an
    /// instance-wide credential, or one holding admin or keys:manage: the same rule as user and key administration, so
    /// a security officer cannot lock out the people who could stop them.
    /// </remarks>
    public async Task<Outcome<string>> RevokePrincipalAsync(string principalId, string reason, int? incident, string actor, string? client, bool callerIsAdmin,
        CancellationToken ct = default)
    {
        if (CheckReason(reason) is { } bad)
        {
            return bad;
        }

        string done;
        string canonical;
        if (principalId.StartsWith("user:", StringComparison.Ordinal) && Guid.TryParse(principalId.AsSpan(5), out var userId)
            && await directory.FindAsync(userId, ct) is { } user)
        {
            canonical = UserDirectory.PrincipalId(userId);
            if (!callerIsAdmin && user.RolesByProject.Values.Any(r => r.Contains(BuiltInRoles.Admin) || r.Contains(BuiltInRoles.SecurityOfficer)))
            {
                return await DenyAsync(canonical, actor, client, "Only an admin may revoke the sessions of an admin or security officer.");
            }

            await revocations.RevokePrincipalAsync(canonical, userId, reason, actor, client, ct);
            done = "every token and session";
        }
        else if (principalId.StartsWith("key:", StringComparison.Ordinal) && await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == principalId.Substring(4), ct) is { } key)
        {
            canonical = "key:" + key.Prefix;
            if (!callerIsAdmin && AdminOnly(key.ProjectId, key.Scopes))
            {
                return await DenyAsync(canonical, actor, client, "Only an admin may revoke an instance-wide key or a key holding admin or keys:manage.");
            }

            await apiKeys.RevokeAsync(key.ProjectId, key.Prefix, actor, client, includeInstanceKeys: callerIsAdmin, ct);
            done = "the API key";
        }
        else if (principalId.StartsWith("client:", StringComparison.Ordinal) && await db.OAuthClients.AsNoTracking().FirstOrDefaultAsync(c => c.ClientId == principalId.Substring(7), ct) is { } oauth)
        {
            canonical = "client:" + oauth.ClientId;
            if (!callerIsAdmin && AdminOnly(oauth.ProjectId, oauth.Scopes))
            {
                return await DenyAsync(canonical, actor, client, "Only an admin may revoke an instance-wide client or a client holding admin or keys:manage.");
            }

            await clients.DisableAsync(oauth.ProjectId, oauth.ClientId, actor, client, ct);
            await revocations.RevokePrincipalAsync(canonical, null, reason, actor, client, ct);
            done = "the client and its tokens";
        }
        else
        {
            return new Failure(NotFound, 404, "No such principal (user:<id>, key:<prefix> or client:<id>).");
        }

        await AfterAsync(incident, IncidentPlaybooks.RevokeCredentials, $"revoked {done} of {canonical}: {reason}", actor, client, ct);
        return $"{done} of {canonical}";
    }

    /// <summary>Credentials reaching every project, or able to manage keys: an admin's to revoke (mirrors the key endpoints).</summary>
    private static bool AdminOnly(string projectId, string scopes) =>
        projectId == ProjectIds.AllProjects || scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(s => s is Permissions.Admin or Permissions.KeysManage);

    private async Task<Failure> DenyAsync(string principal, string actor, string? client, string detail)
    {
        await audit.AppendAsync(new AuditEntry(AuditCodes.AccessDenied, "containment.revoke", actor, principal, "denied", client,
            new Dictionary<string, object?> { ["reason"] = detail }));
        return new Failure(Forbidden, 403, detail);
    }

    public async Task<Outcome<User>> DisableUserAsync(string login, string reason, int? incident, string actor, string? client, CancellationToken ct = default)
    {
        if (CheckReason(reason) is { } bad)
        {
            return bad;
        }

        var outcome = await users.SetStatusAsync(login, UserStatus.Disabled, actor, client, ct);
        if (outcome.Succeeded)
        {
            await AfterAsync(incident, IncidentPlaybooks.RevokeCredentials, $"disabled user {login} (every token and session revoked): {reason}", actor, client, ct);
        }

        return outcome;
    }

    public async Task<Outcome<ModelQuarantine.Result>> QuarantineAsync(string projectId, string model, int version, string reason, int? incident, string actor, string? client,
        CancellationToken ct = default)
    {
        if (CheckReason(reason) is { } bad)
        {
            return bad;
        }

        var outcome = await quarantine.QuarantineAsync(projectId, model, version, reason, actor, client, ct);
        if (outcome.Succeeded)
        {
            var fallback = outcome.Value.Fallback is { } f ? $"; version {f.Version} serves instead" : "";
            await AfterAsync(incident, IncidentPlaybooks.QuarantineVersion, $"quarantined {model} version {version} in {projectId}{fallback}: {reason}", actor, client, ct);
        }

        return outcome;
    }

    private async Task<Outcome<ContainmentControl>> SetFlagAsync(string kind, bool on, string reason, int? incident, string actor, string? client, int code,
        CancellationToken ct)
    {
        if (CheckReason(reason) is { } bad)
        {
            return bad;
        }

        var active = await db.ContainmentControls.Where(c => c.Kind == kind && c.LiftedAt == null).ToListAsync(ct);
        ContainmentControl control;
        if (on)
        {
            if (active.Count > 0)
            {
                return active[0];
            }

            control = New(kind, "", reason, incident, actor);
            db.ContainmentControls.Add(control);
        }
        else
        {
            if (active.Count == 0)
            {
                return new Failure(NotFound, 404, $"No {kind} is in force.");
            }

            foreach (var row in active)
            {
                row.LiftedAt = time.GetUtcNow();
                row.LiftedBy = actor;
            }

            control = active[0];
        }

        await audit.SaveChangesAsync(db, Entry(code, $"containment.{kind}", actor, "instance", client, reason, incident,
            new Dictionary<string, object?> { ["on"] = on }), ct);
        await AfterAsync(incident, null, $"{kind} {(on ? "enabled" : "lifted")}: {reason}", actor, client, ct);
        return control;
    }

    private async Task AfterAsync(int? incident, string? item, string text, string actor, string? client, CancellationToken ct)
    {
        // This replica at once (the next request sees it); the others through ContainmentSync.
        await state.SyncAsync(ct);
        if (incident is { } number)
        {
            await incidents.AddTimelineAsync(number, actor, "containment", text, new JsonObject(), ct);
            if (item is not null)
            {
                await incidents.TickIfOpenAsync(number, item, text, actor, client, ct);
            }
        }
    }

    private ContainmentControl New(string kind, string value, string reason, int? incident, string actor) => new()
    {
        Id = Guid.CreateVersion7(time.GetUtcNow()),
        Kind = kind,
        Value = value,
        Reason = reason,
        IncidentNumber = incident,
        CreatedBy = actor,
        CreatedAt = time.GetUtcNow(),
    };

    private static AuditEntry Entry(int code, string action, string actor, string resource, string? client, string reason, int? incident,
        Dictionary<string, object?>? details = null)
    {
        details ??= [];
        details["reason"] = reason;
        details["incident"] = incident;
        return new AuditEntry(code, action, actor, resource, "success", client, details);
    }

    private static Failure? CheckReason(string reason) => string.IsNullOrWhiteSpace(reason) || reason.Length > 500 || reason.Any(char.IsControl)
        ? new Failure(Invalid, 400, "A containment action needs a reason: 1–500 printable characters.")
        : null;
}
