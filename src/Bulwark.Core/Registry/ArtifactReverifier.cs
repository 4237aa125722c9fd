using Bulwark.Core.Audit;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Registry;

/// <summary>
/// Re-verifies every stored model version (signature, manifest binding, every artifact byte, stage tag), in every
/// project. A version that fails is audited (ModelIntegrityFailure, which the detection rules turn into an incident) and,
/// unless already retired or quarantined, quarantined: production falls back to the last good version.
/// </summary>
internal sealed class ArtifactReverifier(IServiceScopeFactory scopes, AuditLedger audit)
{
    public sealed record Failed(string ProjectId, string Model, int Version, string Stage, string Code, string Reason, int? FallbackVersion);

    public sealed record Report(int Checked, IReadOnlyList<Failed> Failures);

    public async Task<Report> ReverifyAllAsync(string actor, string? client, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<BulwarkDbContext>();
        var loader = services.GetRequiredService<ModelLoader>();
        var stageTag = services.GetRequiredService<ModelStageTag>();
        var quarantine = services.GetRequiredService<ModelQuarantine>();

        var rows = await db.ModelVersions.IgnoreQueryFilters().AsNoTracking().OrderBy(v => v.ProjectId).ThenBy(v => v.ModelName).ThenBy(v => v.Version).ToListAsync(ct);
        var failures = new List<Failed>();
        foreach (var row in rows)
        {
            var verification = await loader.VerifyOnlyAsync(row, ct);
            var (code, reason) = !verification.Valid ? (verification.Code ?? RegistryErrors.SignatureInvalid, verification.Detail)
                : !stageTag.Verify(row) ? (RegistryErrors.StageTampered, "stage-tag")
                : (null, null);
            if (code is null)
            {
                continue;
            }

            await audit.AppendAsync(new AuditEntry(AuditCodes.ModelIntegrityFailure, "model.reverify", actor, $"model/{row.ModelName}/{row.Version}", "failure", client,
                new Dictionary<string, object?> { ["code"] = code, ["reason"] = reason, ["versionId"] = row.Id.ToString("D"), ["stage"] = ModelRegistry.Name(row.Stage) },
                row.ProjectId));
            int? fallback = null;
            if (row.Stage is ModelStage.Production or ModelStage.Candidate)
            {
                var result = await quarantine.QuarantineAsync(row.ProjectId, row.ModelName, row.Version, $"re-verification failed: {code}", actor, client, ct);
                fallback = result.Succeeded ? result.Value.Fallback?.Version : null;
            }

            failures.Add(new Failed(row.ProjectId, row.ModelName, row.Version, ModelRegistry.Name(row.Stage), code, reason!, fallback));
        }

        await audit.AppendAsync(new AuditEntry(AuditCodes.ArtifactsReverified, "model.reverify", actor, "models", failures.Count == 0 ? "success" : "failure", client,
            new Dictionary<string, object?> { ["checked"] = rows.Count, ["failed"] = failures.Count }));
        return new Report(rows.Count, failures);
    }
}
