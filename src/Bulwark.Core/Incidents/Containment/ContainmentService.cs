using System.Net;
using System.Text.Json.Nodes;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
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
    ModelQuarantine quarantine,
    IncidentService incidents,
    TimeProvider time)
{
    public const string Invalid = "containment.invalid";
    public const string NotFound = "containment.not-found";

    public Task<Outcome<ContainmentControl>> SetLockdownAsync(bool on, string reason, int? incident, string actor, string? client, CancellationToken ct = default) =>
        SetFlagAsync(ContainmentKinds.Lockdown, on, reason, incident, actor, client, on ? AuditCodes.LockdownEnabled : AuditCodes.LockdownLifted, ct);

    public Task<Outcome<ContainmentControl>> SetFreezeAsync(bool on, string reason, int? incident, string actor, string? client, CancellationToken ct = default) =>
        SetFlagAsync(ContainmentKinds.Freeze, on, reason, incident, actor, client, on ? AuditCodes.ChangesFrozen : AuditCodes.ChangesUnfrozen, ct);

    public async Task<Outcome<ContainmentControl>> BlockNetworkAsync(string cidr, string reason, int? incident, string actor, string? client, CancellationToken ct = default)
    {
        if (!TryNormalize(cidr, out var network))
        {
            return new Failure(Invalid, 400, "network is an IP address or CIDR range (e.g. 203.0.113.0/24 or 2001:db8::/48).");
        }

        if (CheckReason(reason) is { } bad)
        {
            return bad;
        }

        var value = network.ToString();
        var existing = await db.ContainmentControls.FirstOrDefaultAsync(c => c.Kind == ContainmentKinds.NetworkBlock && c.Value == value && c.LiftedAt == null, ct);
        if (existing is not null)
        {
            return existing;
        }

        var control = New(ContainmentKinds.NetworkBlock, value, reason, incident, actor);
        db.ContainmentControls.Add(control);
        await audit.SaveChangesAsync(db, Entry(AuditCodes.NetworkBlocked, "containment.block-network", actor, "network/" + value, client, reason, incident), ct);
        await AfterAsync(incident, IncidentPlaybooks.BlockNetwork, $"blocked network {value}: {reason}", actor, client, ct);
        return control;
    }

    public async Task<Outcome<ContainmentControl>> UnblockNetworkAsync(string cidr, string reason, string actor, string? client, CancellationToken ct = default)
    {
        if (!TryNormalize(cidr, out var network))
        {
            return new Failure(Invalid, 400, "network is an IP address or CIDR range.");
        }

        var value = network.ToString();
        var control = await db.ContainmentControls.FirstOrDefaultAsync(c => c.Kind == ContainmentKinds.NetworkBlock && c.Value == value && c.LiftedAt == null, ct);
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

    /// <summary>
    /// Revokes every credential of a principal: for a user, every access token, session and refresh token; for an API
    /// key, the key; for an OAuth client, the client and every token it holds.
    /// </summary>
    public async Task<Outcome<string>> RevokePrincipalAsync(string principalId, string reason, int? incident, string actor, string? client, CancellationToken ct = default)
    {
        if (CheckReason(reason) is { } bad)
        {
            return bad;
        }

        string done;
        if (principalId.StartsWith("user:", StringComparison.Ordinal) && Guid.TryParse(principalId[5..], out var userId)
            && await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            await revocations.RevokePrincipalAsync(principalId, userId, reason, actor, client, ct);
            done = "every token and session";
        }
        else if (principalId.StartsWith("key:", StringComparison.Ordinal) && await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == principalId.Substring(4), ct) is { } key)
        {
            await apiKeys.RevokeAsync(key.ProjectId, key.Prefix, actor, client, includeInstanceKeys: true, ct);
            done = "the API key";
        }
        else if (principalId.StartsWith("client:", StringComparison.Ordinal) && await db.OAuthClients.AsNoTracking().FirstOrDefaultAsync(c => c.ClientId == principalId.Substring(7), ct) is { } oauth)
        {
            await clients.DisableAsync(oauth.ProjectId, oauth.ClientId, actor, client, ct);
            await revocations.RevokePrincipalAsync(principalId, null, reason, actor, client, ct);
            done = "the client and its tokens";
        }
        else
        {
            return new Failure(NotFound, 404, "No such principal (user:<id>, key:<prefix> or client:<id>).");
        }

        await AfterAsync(incident, IncidentPlaybooks.RevokeCredentials, $"revoked {done} of {principalId}: {reason}", actor, client, ct);
        return done;
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

    /// <summary>Parses an address or CIDR range and returns it with its host bits cleared (a canonical key).</summary>
    public static bool TryNormalize(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return false;
        }

        if (!text.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(text, out var single))
        {
            text = single.ToString() + (single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "/128" : "/32");
        }

        if (!IPNetwork.TryParse(text, out var parsed))
        {
            // IPNetwork.TryParse refuses host bits; accept "203.0.113.9/24" as the /24 it names.
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !IPAddress.TryParse(text[..slash], out var address) || !int.TryParse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var prefix))
            {
                return false;
            }

            var max = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
            if (prefix < 0 || prefix > max)
            {
                return false;
            }

            var bytes = address.GetAddressBytes();
            for (var bit = prefix; bit < max; bit++)
            {
                bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            }

            parsed = new IPNetwork(new IPAddress(bytes), prefix);
        }

        // Blocking everything (0.0.0.0/0, ::/0) is a lockdown, not a network block: refuse it so nobody locks out the responders.
        if (parsed.PrefixLength == 0)
        {
            return false;
        }

        network = parsed;
        return true;
    }
}
