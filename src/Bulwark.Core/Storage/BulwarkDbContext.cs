using Bulwark.Core.Access;
using Bulwark.Core.Audit;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Incidents;
using Bulwark.Core.Incidents.Containment;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Bulwark.Core.Storage;

/// <summary>
/// The metadata database. Features use it directly (no repository layer). Nothing here is provider-specific except
/// the SQLite timestamp conversion, so PostgreSQL can be added as a second provider with its own migrations.
/// Project-owned tables carry a query filter on <see cref="ProjectScope"/> (tenant isolation in the query itself).
/// </summary>
internal sealed class BulwarkDbContext(DbContextOptions<BulwarkDbContext> options) : DbContext(options)
{
    /// <summary>
    /// The scope whose project filters project-owned tables. Set per DI scope by the storage registration; contexts
    /// made directly from the factory have none and see no project-owned row unless they call <c>IgnoreQueryFilters()</c>.
    /// </summary>
    internal ProjectScope? Scope { get; set; }

    /// <summary>Read by the query filters on every query (EF Core parameterises context members).</summary>
    private string? CurrentProjectId => Scope?.ProjectId;

    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<ModelRelease> ModelReleases => Set<ModelRelease>();
    public DbSet<ModelApproval> ModelApprovals => Set<ModelApproval>();
    public DbSet<CapturedPrediction> CapturedPredictions => Set<CapturedPrediction>();
    public DbSet<FeedbackLabel> FeedbackLabels => Set<FeedbackLabel>();
    public DbSet<ModelChallenger> ModelChallengers => Set<ModelChallenger>();
    public DbSet<MonitoringReport> MonitoringReports => Set<MonitoringReport>();
    public DbSet<RetrainingRun> RetrainingRuns => Set<RetrainingRun>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();
    public DbSet<AuditSigningKey> AuditSigningKeys => Set<AuditSigningKey>();
    public DbSet<AuditArchive> AuditArchives => Set<AuditArchive>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<IncidentEntry> IncidentEntries => Set<IncidentEntry>();
    public DbSet<IncidentEvent> IncidentEvents => Set<IncidentEvent>();
    public DbSet<ContainmentControl> ContainmentControls => Set<ContainmentControl>();
    public DbSet<DetectionCursor> DetectionCursors => Set<DetectionCursor>();
    public DbSet<TrainingJob> Jobs => Set<TrainingJob>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<User> Users => Set<User>();
    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<Revocation> Revocations => Set<Revocation>();
    public DbSet<SigningKeyRecord> SigningKeys => Set<SigningKeyRecord>();
    public DbSet<OAuthClient> OAuthClients => Set<OAuthClient>();
    public DbSet<RoleDefinition> Roles => Set<RoleDefinition>();
    public DbSet<PolicyRevision> PolicyRevisions => Set<PolicyRevision>();
    public DbSet<BreakGlass.BreakGlassSession> BreakGlassSessions => Set<BreakGlass.BreakGlassSession>();

    public override void Dispose()
    {
        // Pooled contexts are reused: never let one request's project leak into the next user of this instance.
        Scope = null;
        base.Dispose();
    }

    public override ValueTask DisposeAsync()
    {
        Scope = null;
        return base.DisposeAsync();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no timestamp-with-offset type; store UTC ticks so ordering and comparisons run in SQL.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        }

        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Dataset>(e =>
        {
            e.ToTable("datasets");
            e.HasKey(x => x.Id);
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasIndex(x => x.ProjectId);
            e.HasQueryFilter(x => x.ProjectId == CurrentProjectId);
            e.Property(x => x.Name).HasMaxLength(128);
            e.Property(x => x.ContentDigest).HasMaxLength(64);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
            e.Property(x => x.SubjectColumn).HasMaxLength(128);
            e.Ignore(x => x.StoredObjectId);
        });

        modelBuilder.Entity<ModelVersion>(e =>
        {
            e.ToTable("model_versions");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ProjectId, x.ModelName, x.Version }).IsUnique();
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasQueryFilter(x => x.ProjectId == CurrentProjectId);
            e.Property(x => x.ModelName).HasMaxLength(64);
            e.Property(x => x.Format).HasMaxLength(16);
            e.Property(x => x.Task).HasMaxLength(16);
            e.Property(x => x.ManifestDigest).HasMaxLength(64);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
            e.Property(x => x.RetrainReason).HasMaxLength(128);
        });

        modelBuilder.Entity<ModelRelease>(e =>
        {
            e.ToTable("model_releases");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ProjectId, x.ModelName, x.Sequence }).IsUnique();
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasQueryFilter(x => x.ProjectId == CurrentProjectId);
            e.Property(x => x.ModelName).HasMaxLength(64);
            e.Property(x => x.Action).HasMaxLength(16);
            e.Property(x => x.ManifestDigest).HasMaxLength(64);
            e.Property(x => x.RootDigest).HasMaxLength(64);
            e.Property(x => x.By).HasMaxLength(128);
        });

        modelBuilder.Entity<ModelApproval>(e =>
        {
            e.ToTable("model_approvals");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.VersionId, x.Accountable }).IsUnique();
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasQueryFilter(x => x.ProjectId == CurrentProjectId);
            e.Property(x => x.Principal).HasMaxLength(128);
            e.Property(x => x.Accountable).HasMaxLength(128);
            e.Property(x => x.Comment).HasMaxLength(1024);
        });

        modelBuilder.Entity<CapturedPrediction>(e =>
        {
            e.ToTable("captured_predictions");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ProjectId, x.ModelName, x.At });
            e.HasIndex(x => x.At);
            e.HasIndex(x => x.ShadowOf);
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasQueryFilter(x => x.ProjectId == CurrentProjectId);
            e.Property(x => x.ModelName).HasMaxLength(64);
            e.Property(x => x.Principal).HasMaxLength(128);
            e.Property(x => x.Protocol).HasMaxLength(8);
            e.Property(x => x.SubjectPseudonym).HasMaxLength(64);
            e.HasIndex(x => new { x.ProjectId, x.SubjectPseudonym });
        });

        modelBuilder.Entity<ModelChallenger>(e =>
        {
            e.ToTable("model_challengers");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ProjectId, x.ModelName }).IsUnique();
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasQueryFilter(x => x.ProjectId == CurrentProjectId);
            e.Property(x => x.ModelName).HasMaxLength(64);
            e.Property(x => x.ManifestDigest).HasMaxLength(64);
            e.Property(x => x.Mode).HasMaxLength(8);
            e.Property(x => x.SetBy).HasMaxLength(128);
        });

        modelBuilder.Entity<FeedbackLabel>(e =>
        {
            e.ToTable("feedback_labels");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.PredictionId, x.Row }).IsUnique();
            e.HasIndex(x => new { x.ProjectId, x.ModelName, x.State });
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasQueryFilter(x => x.ProjectId == CurrentProjectId);
            e.Property(x => x.ModelName).HasMaxLength(64);
            e.Property(x => x.Principal).HasMaxLength(128);
            e.Property(x => x.State).HasMaxLength(16);
        });

        modelBuilder.Entity<MonitoringReport>(e =>
        {
            e.ToTable("monitoring_reports");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ProjectId, x.ModelName, x.WindowEnd });
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasQueryFilter(x => x.ProjectId == CurrentProjectId);
            e.Property(x => x.ModelName).HasMaxLength(64);
            e.Property(x => x.Status).HasMaxLength(8);
        });

        modelBuilder.Entity<RetrainingRun>(e =>
        {
            e.ToTable("retraining_runs");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ProjectId, x.ModelName, x.State });
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasQueryFilter(x => x.ProjectId == CurrentProjectId);
            e.Property(x => x.ModelName).HasMaxLength(64);
            e.Property(x => x.Trigger).HasMaxLength(16);
            e.Property(x => x.State).HasMaxLength(16);
            e.Property(x => x.Detail).HasMaxLength(1024);
        });

        modelBuilder.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Prefix).IsUnique();
            e.Property(x => x.ProjectId).HasMaxLength(40);

            // No query filter: authentication looks keys up by prefix before any project is known. Listing and
            // revoking filter by project explicitly (ApiKeyService).
            e.Property(x => x.Prefix).HasMaxLength(32);
            e.Property(x => x.Name).HasMaxLength(128);
            e.Property(x => x.Scopes).HasMaxLength(2048);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });

        modelBuilder.Entity<AuditEvent>(e =>
        {
            e.ToTable("audit_events");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedNever();
            e.Property(x => x.Action).HasMaxLength(64);
            e.Property(x => x.Principal).HasMaxLength(128);
            e.Property(x => x.Resource).HasMaxLength(256);
            e.Property(x => x.Outcome).HasMaxLength(16);
            e.Property(x => x.ClientAddress).HasMaxLength(64);
            e.Property(x => x.AuthMethod).HasMaxLength(32);
            e.Property(x => x.UserAgent).HasMaxLength(AuditContext.MaxUserAgentLength);
            e.Property(x => x.PreviousHash).HasMaxLength(64);
            e.Property(x => x.Hash).HasMaxLength(64);
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasIndex(x => x.ProjectId);
        });

        modelBuilder.Entity<AuditCheckpoint>(e =>
        {
            e.ToTable("audit_checkpoints");
            e.HasKey(x => x.Sequence);
            e.Property(x => x.Sequence).ValueGeneratedNever();
            e.Property(x => x.HeadHash).HasMaxLength(64);
            e.Property(x => x.KeyId).HasMaxLength(64);
        });

        modelBuilder.Entity<Incident>(e =>
        {
            // Instance-wide: the security team works incidents across projects; ProjectId only says which one is affected.
            e.ToTable("incidents");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Number).IsUnique();
            e.HasIndex(x => new { x.RuleId, x.Subject });
            e.Property(x => x.Title).HasMaxLength(200);
            e.Property(x => x.Type).HasMaxLength(32);
            e.Property(x => x.Severity).HasMaxLength(16);
            e.Property(x => x.Owner).HasMaxLength(128);
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.Property(x => x.RuleId).HasMaxLength(64);
            e.Property(x => x.Subject).HasMaxLength(256);
            e.Property(x => x.Revision).IsConcurrencyToken();
        });

        modelBuilder.Entity<IncidentEntry>(e =>
        {
            e.ToTable("incident_entries");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.IncidentId);
            e.Property(x => x.Actor).HasMaxLength(128);
            e.Property(x => x.Kind).HasMaxLength(32);
        });

        modelBuilder.Entity<IncidentEvent>(e =>
        {
            e.ToTable("incident_events");
            e.HasKey(x => new { x.IncidentId, x.Sequence });
        });

        modelBuilder.Entity<ContainmentControl>(e =>
        {
            e.ToTable("containment_controls");
            e.HasKey(x => x.Id);
            e.Property(x => x.Kind).HasMaxLength(32);
            e.Property(x => x.Value).HasMaxLength(64);
            e.Property(x => x.Reason).HasMaxLength(500);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
            e.Property(x => x.LiftedBy).HasMaxLength(128);
            e.HasIndex(x => new { x.Kind, x.LiftedAt });
        });

        modelBuilder.Entity<DetectionCursor>(e =>
        {
            e.ToTable("detection_cursor");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
        });

        modelBuilder.Entity<AuditArchive>(e =>
        {
            e.ToTable("audit_archives");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.ToSequence).IsUnique();
            e.Property(x => x.LastHash).HasMaxLength(64);
            e.Property(x => x.FileName).HasMaxLength(64);
            e.Property(x => x.FileSha256).HasMaxLength(64);
        });

        modelBuilder.Entity<AuditSigningKey>(e =>
        {
            e.ToTable("audit_signing_keys");
            e.HasKey(x => x.KeyId);
            e.Property(x => x.KeyId).HasMaxLength(64);
        });

        modelBuilder.Entity<TrainingJob>(e =>
        {
            e.ToTable("jobs");
            e.HasKey(x => x.Id);
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.HasQueryFilter(x => x.ProjectId == CurrentProjectId);
            e.Property(x => x.Kind).HasMaxLength(16);
            e.Property(x => x.ModelName).HasMaxLength(64);
            e.Property(x => x.ErrorCode).HasMaxLength(64);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });
        modelBuilder.Entity<Project>(e =>
        {
            e.ToTable("projects");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).HasMaxLength(40);
            e.Property(x => x.DisplayName).HasMaxLength(128);
            e.Property(x => x.PasswordProfile).HasMaxLength(32);
            e.Property(x => x.PanPolicy).HasMaxLength(16);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });

        modelBuilder.Entity<Membership>(e =>
        {
            e.ToTable("memberships");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.PrincipalId, x.ProjectId, x.Role }).IsUnique();
            e.HasIndex(x => x.ProjectId);
            e.Property(x => x.PrincipalId).HasMaxLength(128);
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.Property(x => x.Role).HasMaxLength(40);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });

        modelBuilder.Entity<User>(e =>
        {
            e.ToTable("users");
            e.HasKey(x => x.Id);
            // Personal fields are sealed (PersonalFields); the old plaintext columns keep their names until the backfill clears them.
            e.Ignore(x => x.Login);
            e.Ignore(x => x.DisplayName);
            e.Ignore(x => x.SealedValues);
            e.HasIndex(x => x.LoginIndex).IsUnique();
            e.Property(x => x.LoginIndex).HasMaxLength(32);
            e.Property(x => x.LegacyLogin).HasColumnName("Login").HasMaxLength(64);
            e.Property(x => x.LegacyDisplayName).HasColumnName("DisplayName").HasMaxLength(128);
            e.Property(x => x.PasswordHash).HasMaxLength(256);
            e.Property(x => x.PasswordHistory).HasMaxLength(2048);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
            e.Ignore(x => x.MfaEnrolled);
        });

        modelBuilder.Entity<RecoveryCode>(e =>
        {
            e.ToTable("recovery_codes");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.UserId);
            e.Property(x => x.CodeHash).HasMaxLength(64);
        });

        modelBuilder.Entity<RefreshToken>(e =>
        {
            e.ToTable("refresh_tokens");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => x.FamilyId);
            e.HasIndex(x => x.UserId);
            e.Property(x => x.Amr).HasMaxLength(64);
        });

        modelBuilder.Entity<Revocation>(e =>
        {
            e.ToTable("revocations");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Kind, x.Subject });
            e.Property(x => x.Subject).HasMaxLength(128);
            e.Property(x => x.Reason).HasMaxLength(256);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });

        modelBuilder.Entity<SigningKeyRecord>(e =>
        {
            e.ToTable("signing_keys");
            e.HasKey(x => x.KeyId);
            e.Property(x => x.KeyId).HasMaxLength(64);
        });

        modelBuilder.Entity<OAuthClient>(e =>
        {
            e.ToTable("oauth_clients");
            e.HasKey(x => x.ClientId);
            e.Property(x => x.ClientId).HasMaxLength(64);
            e.Property(x => x.Name).HasMaxLength(128);
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.Property(x => x.Scopes).HasMaxLength(2048);
            e.Property(x => x.PublicJwk).HasMaxLength(4096);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });

        modelBuilder.Entity<RoleDefinition>(e =>
        {
            e.ToTable("roles");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(40);
            e.Property(x => x.Permissions).HasMaxLength(2048);
            e.Property(x => x.Description).HasMaxLength(256);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });

        modelBuilder.Entity<PolicyRevision>(e =>
        {
            e.ToTable("policy_revisions");
            e.HasKey(x => x.Version);
            e.Property(x => x.Version).ValueGeneratedNever();
            e.Property(x => x.Format).HasMaxLength(8);
            e.Property(x => x.Digest).HasMaxLength(64);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });

        modelBuilder.Entity<BreakGlass.BreakGlassSession>(e =>
        {
            e.ToTable("break_glass_sessions");
            e.HasKey(x => x.Id);
            e.Property(x => x.UserId).HasMaxLength(128);
            e.Ignore(x => x.Login);
            e.Property(x => x.ProjectId).HasMaxLength(40);
            e.Property(x => x.Reason).HasMaxLength(500);
            e.Property(x => x.Permissions).HasMaxLength(512);
            e.Property(x => x.EndedBy).HasMaxLength(128);
            e.Property(x => x.ClientAddress).HasMaxLength(64);
            e.HasIndex(x => new { x.UserId, x.ProjectId, x.EndedAt });
            e.HasIndex(x => x.StartedAt);
        });
    }
}
