using Bulwark.Core.Audit;
using Bulwark.Core.Compliance;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Projects;

/// <summary>Creates and lists projects and manages who holds which role in them. Every change is audited.</summary>
internal sealed class ProjectService(BulwarkDbContext db, AuditLedger audit, ProjectDirectory directory, MembershipTag tags, TimeProvider time)
{
    public static readonly IReadOnlySet<string> PasswordProfiles = new HashSet<string>(StringComparer.Ordinal) { "nist-800-63b", "pci-dss-4" };

    public Task<Outcome<Project>> CreateAsync(string id, string displayName, string passwordProfile, string createdBy, string? client, CancellationToken cancellationToken = default) =>
        CreateAsync(id, displayName, passwordProfile, PanPolicies.Reject, createdBy, client, cancellationToken);

    /// <param name="panPolicy">"reject", "truncate" or "tokenise": a new project holds no data yet, so it may start with any.</param>
    public async Task<Outcome<Project>> CreateAsync(
        string id, string displayName, string passwordProfile, string panPolicy, string createdBy, string? client, CancellationToken cancellationToken = default)
    {
        if (!ProjectIds.IsValid(id))
        {
            return new Failure("project.invalid", 400, "A project id is 2–40 lowercase letters, digits and '-', starting with a letter.");
        }

        if (string.IsNullOrWhiteSpace(displayName) || displayName.Length > 128 || displayName.Any(char.IsControl))
        {
            return new Failure("project.invalid", 400, "The display name must be 1–128 printable characters.");
        }

        if (!PasswordProfiles.Contains(passwordProfile))
        {
            return new Failure("project.invalid", 400, "The password profile must be 'nist-800-63b' or 'pci-dss-4'.");
        }

        if (!PanPolicies.TryParse(panPolicy, out var pan))
        {
            return InvalidPanPolicy();
        }

        if (await db.Projects.AnyAsync(p => p.Id == id, cancellationToken))
        {
            return new Failure("project.exists", 409, $"Project '{id}' already exists.");
        }

        var project = new Project
        {
            Id = id,
            DisplayName = displayName,
            PasswordProfile = passwordProfile,
            PanPolicy = PanPolicies.NameOf(pan),
            CreatedBy = createdBy,
            CreatedAt = time.GetUtcNow(),
        };
        db.Projects.Add(project);
        try
        {
            await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.ProjectCreated, "project.create", createdBy, "project/" + id, "success", client,
                new Dictionary<string, object?> { ["passwordProfile"] = passwordProfile, ["panPolicy"] = project.PanPolicy }, id), cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.Entry(project).State = EntityState.Detached;
            return new Failure("project.exists", 409, $"Project '{id}' already exists.");
        }

        directory.Invalidate();
        return project;
    }

    /// <summary>
    /// Sets what dataset imports in <paramref name="projectId"/> do with card numbers. Audited with the old and new
    /// policy; imports already stored are not rewritten (none holds a card number in clear, whatever the policy was).
    /// </summary>
    public async Task<Outcome<Project>> SetPanPolicyAsync(string projectId, string panPolicy, string changedBy, string? client, CancellationToken cancellationToken = default)
    {
        if (!PanPolicies.TryParse(panPolicy, out var pan))
        {
            return InvalidPanPolicy();
        }

        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, cancellationToken);
        if (project is null)
        {
            return new Failure("project.not-found", 404, $"Project '{projectId}' does not exist.");
        }

        var previous = project.PanPolicy;
        project.PanPolicy = PanPolicies.NameOf(pan);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.ProjectPanPolicyChanged, "project.pan-policy", changedBy, "project/" + projectId, "success", client,
            new Dictionary<string, object?> { ["from"] = previous, ["to"] = project.PanPolicy }, projectId), cancellationToken);
        return project;
    }

    private static Failure InvalidPanPolicy() => new("project.invalid", 400, "The PAN policy must be 'reject', 'truncate' or 'tokenise'.");

    public Task<List<Project>> ListAsync(CancellationToken cancellationToken = default) =>
        db.Projects.AsNoTracking().OrderBy(p => p.Id).ToListAsync(cancellationToken);

    /// <summary>Grants <paramref name="role"/> in <paramref name="projectId"/> ("*" = every project) to a principal.</summary>
    public async Task<Outcome<Membership>> GrantAsync(string principalId, string projectId, string role, string grantedBy, string? client, CancellationToken cancellationToken = default)
    {
        if (projectId != ProjectIds.AllProjects && !await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken))
        {
            return new Failure("project.not-found", 404, $"Project '{projectId}' does not exist.");
        }

        var existing = await db.Memberships.FirstOrDefaultAsync(m => m.PrincipalId == principalId && m.ProjectId == projectId && m.Role == role, cancellationToken);
        if (existing is not null && tags.Verify(existing))
        {
            return existing;
        }

        if (existing is not null)
        {
            // A row that fails its tag grants nothing; replace it with a genuine one.
            db.Memberships.Remove(existing);
        }

        var membership = new Membership
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            PrincipalId = principalId,
            ProjectId = projectId,
            Role = role,
            CreatedBy = grantedBy,
            CreatedAt = time.GetUtcNow(),
        };
        tags.Apply(membership);
        db.Memberships.Add(membership);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.MembershipGranted, "project.grant", grantedBy, principalId, "success", client,
            new Dictionary<string, object?> { ["role"] = role, ["project"] = projectId },
            projectId == ProjectIds.AllProjects ? null : projectId), cancellationToken);
        return membership;
    }

    public async Task<bool> RevokeAsync(string principalId, string projectId, string role, string revokedBy, string? client, CancellationToken cancellationToken = default)
    {
        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.PrincipalId == principalId && m.ProjectId == projectId && m.Role == role, cancellationToken);
        if (membership is null)
        {
            return false;
        }

        db.Memberships.Remove(membership);
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.MembershipRevoked, "project.revoke", revokedBy, principalId, "success", client,
            new Dictionary<string, object?> { ["role"] = role, ["project"] = projectId },
            projectId == ProjectIds.AllProjects ? null : projectId), cancellationToken);
        return true;
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlySet<string>>> RolesOfAsync(string principalId, CancellationToken cancellationToken = default)
    {
        var rows = (await db.Memberships.AsNoTracking().Where(m => m.PrincipalId == principalId).ToListAsync(cancellationToken)).Where(tags.Verify);
        return rows.GroupBy(m => m.ProjectId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(m => m.Role).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
    }
}
