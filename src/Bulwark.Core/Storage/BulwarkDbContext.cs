using Bulwark.Core.Audit;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Core.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Bulwark.Core.Storage;

/// <summary>
/// The metadata database. Features use it directly (no repository layer). Nothing here is provider-specific except
/// the SQLite timestamp conversion, so PostgreSQL can be added as a second provider with its own migrations.
/// </summary>
internal sealed class BulwarkDbContext(DbContextOptions<BulwarkDbContext> options) : DbContext(options)
{
    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<TrainingJob> Jobs => Set<TrainingJob>();

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
            e.Property(x => x.Name).HasMaxLength(128);
            e.Property(x => x.ContentDigest).HasMaxLength(64);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });

        modelBuilder.Entity<ModelVersion>(e =>
        {
            e.ToTable("model_versions");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.ModelName, x.Version }).IsUnique();
            e.Property(x => x.ModelName).HasMaxLength(64);
            e.Property(x => x.Format).HasMaxLength(16);
            e.Property(x => x.Task).HasMaxLength(16);
            e.Property(x => x.ManifestDigest).HasMaxLength(64);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });

        modelBuilder.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.Prefix).IsUnique();
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
            e.Property(x => x.PreviousHash).HasMaxLength(64);
            e.Property(x => x.Hash).HasMaxLength(64);
        });

        modelBuilder.Entity<TrainingJob>(e =>
        {
            e.ToTable("jobs");
            e.HasKey(x => x.Id);
            e.Property(x => x.Kind).HasMaxLength(16);
            e.Property(x => x.ModelName).HasMaxLength(64);
            e.Property(x => x.ErrorCode).HasMaxLength(64);
            e.Property(x => x.CreatedBy).HasMaxLength(128);
        });
    }
}
