using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Registry;

/// <summary>
/// Upgrade step: production versions promoted before release records existed get a first "adopt" entry, so anti-rollback
/// has something to compare against. Runs only while the release table is entirely empty and no audit event records a
/// release (a fresh upgrade), and only for rows whose stage tag and signed manifest verify; what it adopts is audited
/// (3044). Once any release was recorded it never runs again, so deleting entries (or the whole table) later does not get
/// the current row adopted: the model stops serving instead.
/// </summary>
internal static class ReleaseAdoption
{
    public static async Task AdoptAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.ModelReleases.IgnoreQueryFilters().AnyAsync(ct))
        {
            return;
        }

        // An emptied table is not an upgrade: once any release was recorded, its audit events say so (details "release")
        // and nothing is adopted, so deleting the table cannot get an older row approved.
        if (await db.AuditEvents.AsNoTracking().AnyAsync(e => ModelReleaseLedger.ReleaseCodes.Contains(e.Code) && e.Details.Contains("\"release\":"), ct))
        {
            return;
        }

        var production = await db.ModelVersions.IgnoreQueryFilters().Where(v => v.Stage == ModelStage.Production).ToListAsync(ct);
        if (production.Count == 0)
        {
            return;
        }

        var stageTag = services.GetRequiredService<ModelStageTag>();
        var ledger = services.GetRequiredService<ModelReleaseLedger>();
        var sealer = services.GetRequiredService<EnvelopeEncryption>();
        var verifier = await services.GetRequiredService<ManifestSigner>().GetVerifierAsync(ct);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var adopted = new List<ModelRelease>();
        foreach (var group in production.GroupBy(v => (v.ProjectId, v.ModelName)))
        {
            // Two production rows for one model cannot both be right; adopt neither and let serving refuse the model.
            if (group.Count() != 1 || !stageTag.Verify(group.Single()))
            {
                continue;
            }

            var row = group.Single();
            string envelope;
            try
            {
                envelope = ModelVersionView.ManifestEnvelope(sealer, row);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                continue;
            }

            var verified = verifier.VerifyEnvelope(envelope);
            if (verified.Valid)
            {
                adopted.Add(ledger.Append(db, [], row.ProjectId, row.ModelName, ReleaseActions.Adopt, row, verified.Manifest!.RootDigest, "system", now));
            }
        }

        if (adopted.Count == 0)
        {
            return;
        }

        var audit = services.GetRequiredService<AuditLedger>();
        await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.ModelReleasesAdopted, "model.release-adopt", "system", "models", "success",
            Details: new Dictionary<string, object?>
            {
                ["models"] = adopted.Select(a => $"{a.ProjectId}/{a.ModelName}@{a.Version}").ToArray(),
            }), ct);
    }
}
