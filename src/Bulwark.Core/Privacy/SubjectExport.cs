using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Privacy;

/// <summary>
/// Everything a project holds about one data subject (GDPR Art. 15, right of access): their rows in every dataset that
/// declared a subject column, as stored (card numbers were truncated or tokenised at import and stay so), and the
/// captured predictions about them with the served outputs. Captured inputs come back as captured: personal features
/// were pseudonymised before storage, so their raw values no longer exist anywhere to return. Audited without the key.
/// </summary>
internal sealed class SubjectExport(
    BulwarkDbContext db, ProjectScope project, ArtifactStore artifacts, EnvelopeEncryption envelope, CapturePseudonyms pseudonyms, AuditLedger ledger, TimeProvider time)
{
    public async Task<Outcome<SubjectRecord>> ExportAsync(string subjectKey, string principal, string? clientAddress, CancellationToken ct)
    {
        if (!SubjectKeys.IsValid(subjectKey))
        {
            return PrivacyErrors.Subject();
        }

        var projectId = project.Required;
        var key = SubjectKeys.Normalise(subjectKey);
        var hmac = pseudonyms.Of(projectId, key);
        var datasets = new List<SubjectDatasetRows>();
        foreach (var dataset in (await db.Datasets.AsNoTracking().Where(d => d.SubjectColumn != null).ToListAsync(ct)).OrderBy(d => d.CreatedAt))
        {
            var text = await DatasetText.ReadAsync(artifacts, dataset, ct);
            if (!text.Succeeded)
            {
                return text.Failure;
            }

            var split = SubjectRows.Split(text.Value, dataset.SubjectColumn!, key);
            if (split.Succeeded && split.Value.Matched.Count > 0)
            {
                datasets.Add(new SubjectDatasetRows(dataset.Id, dataset.Name, split.Value.Matched));
            }
        }

        var captures = (await SubjectCaptures.FindAsync(db, envelope, projectId, hmac, ct))
            .OrderBy(c => c.Row.At)
            .Select(c => new SubjectCapture(c.Id, c.Row.ModelName, c.Row.Version, c.Row.At, c.Row.Protocol,
                c.Payload is { BodyWithheld: false } p ? System.Text.Encoding.UTF8.GetString(p.Body) : null,
                c.Payload?.Pseudonymised ?? [],
                c.Payload?.Outputs.Select(o => o.Text).ToList() ?? []))
            .ToList();

        await ledger.AppendAsync(new AuditEntry(AuditCodes.PrivacySubjectExported, "privacy.export", principal, "subject/" + hmac[..16], "success", clientAddress,
            new Dictionary<string, object?>
            {
                ["subjectHmac"] = hmac,
                ["datasets"] = datasets.Count,
                ["datasetRows"] = datasets.Sum(d => d.Rows.Count),
                ["capturedPredictions"] = captures.Count,
            }, projectId));
        return new SubjectRecord(projectId, hmac, time.GetUtcNow(), datasets, captures);
    }
}

internal sealed record SubjectRecord(string ProjectId, string SubjectHmac, DateTimeOffset ExportedAt, IReadOnlyList<SubjectDatasetRows> Datasets, IReadOnlyList<SubjectCapture> Captures);

internal sealed record SubjectDatasetRows(Guid DatasetId, string Name, IReadOnlyList<Dictionary<string, string>> Rows);

/// <param name="Body">The captured request body as stored (pseudonymised features hold <c>ps_</c> tokens); null when it was withheld.</param>
internal sealed record SubjectCapture(
    Guid PredictionId, string Model, int Version, DateTimeOffset At, string Protocol, string? Body, IReadOnlyList<string> Pseudonymised, IReadOnlyList<string> Outputs);
