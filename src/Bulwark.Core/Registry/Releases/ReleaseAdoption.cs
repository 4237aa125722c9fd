using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Registry;

/// <summary>
/// Upgrade step: production versions promoted before release records existed get a first "adopt" entry, so anti-rollback
/// has something to compare against. Runs only while the release table is entirely empty (a fresh upgrade), and only for
/// rows whose stage tag and signed manifest verify; what it adopts is audited (3044). Once any entry exists it never runs
/// again, so deleting one model's entries later does not get the current row adopted: that model stops serving instead.
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
