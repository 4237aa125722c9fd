using Bulwark.Core.Audit;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Privacy;

/// <summary>
/// A project's retention per kind of data: captured predictions (and their feedback) and datasets, each the project's
/// own value or the instance default. Audit retention is instance-wide (<see cref="AuditOptions"/>): the ledger is one
/// hash chain across projects, and cutting one project's events out of it would break the chain for everyone.
/// </summary>
internal sealed class RetentionSettings(
    BulwarkDbContext db, AuditLedger ledger, IOptions<PrivacyOptions> privacy, IOptions<MonitoringOptions> monitoring, IOptions<AuditOptions> audit)
{
    public const int MaxDays = 36500;

    public async Task<Outcome<ProjectRetention>> GetAsync(string projectId, CancellationToken ct)
    {
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Id == projectId, ct);
        return project is null ? Missing(projectId) : Of(project);
    }

    /// <param name="captureDays">Null keeps the instance default.</param>
    /// <param name="datasetDays">Null keeps datasets until deleted (the default).</param>
    public async Task<Outcome<ProjectRetention>> SetAsync(string projectId, int? captureDays, int? datasetDays, string principal, string? clientAddress, CancellationToken ct)
    {
        var project = await db.Projects.FirstOrDefaultAsync(p => p.Id == projectId, ct);
        if (project is null)
        {
            return Missing(projectId);
        }

        var floors = privacy.Value;
        if (captureDays is < 1 or > MaxDays || datasetDays is < 1 or > MaxDays)
        {
            return PrivacyErrors.Request($"Retention is a number of days from 1 to {MaxDays}, or null for the default.");
        }

        if (!floors.AllowBelowFloor && captureDays < floors.MinCaptureRetentionDays)
        {
            return PrivacyErrors.Floor($"Captured predictions must be kept at least {floors.MinCaptureRetentionDays} days (Bulwark:Privacy:MinCaptureRetentionDays).",
                "captures", floors.MinCaptureRetentionDays);
        }

        if (!floors.AllowBelowFloor && datasetDays < floors.MinDatasetRetentionDays)
        {
            return PrivacyErrors.Floor($"Datasets must be kept at least {floors.MinDatasetRetentionDays} days (Bulwark:Privacy:MinDatasetRetentionDays).",
                "datasets", floors.MinDatasetRetentionDays);
        }

        var before = Of(project);
        project.CaptureRetentionDays = captureDays;
        project.DatasetRetentionDays = datasetDays;
        await ledger.SaveChangesAsync(db, new AuditEntry(AuditCodes.RetentionChanged, "project.retention", principal, "project/" + projectId, "success", clientAddress,
            new Dictionary<string, object?>
            {
                ["capturesDays"] = captureDays,
                ["datasetsDays"] = datasetDays,
                ["previousCapturesDays"] = before.CaptureDays,
                ["previousDatasetsDays"] = before.DatasetDays,
            }, projectId), ct);
        return Of(project);
    }

    public ProjectRetention Of(Project project) => new(
        project.Id,
        project.CaptureRetentionDays ?? DefaultCaptureDays,
        project.CaptureRetentionDays is null,
        project.DatasetRetentionDays,
        (int)audit.Value.HotRetention.TotalDays,
        (int)(audit.Value.HotRetention + audit.Value.ArchiveRetention).TotalDays);

    /// <summary>The instance default for captures, in whole days (at least one).</summary>
    public int DefaultCaptureDays => Math.Max(1, (int)Math.Ceiling(monitoring.Value.CaptureRetention.TotalDays));

    private static Failure Missing(string projectId) => new("project.not-found", 404, $"Project '{projectId}' does not exist.");
}

/// <param name="DatasetDays">Null: datasets are kept until deleted.</param>
/// <param name="AuditHotDays">Instance-wide: events searchable in the database.</param>
/// <param name="AuditTotalDays">Instance-wide: hot plus signed archive files.</param>
internal sealed record ProjectRetention(string ProjectId, int CaptureDays, bool CaptureDefault, int? DatasetDays, int AuditHotDays, int AuditTotalDays);
