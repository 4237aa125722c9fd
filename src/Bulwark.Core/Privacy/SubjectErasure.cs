using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Privacy;

/// <summary>
/// Erases one data subject from a project (GDPR Art. 17): removes their rows from every dataset that declared a subject
/// column, deletes every captured prediction about them and the feedback on it, flags the model versions trained on the
/// changed datasets for retraining, and returns a signed receipt. The subject key itself is never stored or audited.
/// </summary>
/// <remarks>
/// Never half-written: the rewritten datasets are first stored as new encrypted objects; then one transaction swaps
/// every dataset row to its new object, digest, row count and re-computed schema, deletes the captures and feedback,
/// flags the versions and appends the audit event; only after it commits are the old objects deleted. A failure before
/// the commit deletes the new objects and changes nothing. (A crash between the commit and the deletion leaves an old
/// object that nothing references; it stays encrypted under its own data key.)
/// </remarks>
internal sealed partial class SubjectErasure(
    BulwarkDbContext db,
    ProjectScope project,
    ArtifactStore artifacts,
    EnvelopeEncryption envelope,
    CapturePseudonyms pseudonyms,
    AuditLedger ledger,
    AuditKeyStore signing,
    RetrainingService retraining,
    IOptions<MonitoringOptions> monitoring,
    TimeProvider time,
    ILogger<SubjectErasure> logger)
{
    /// <summary>
    /// One erasure at a time in this process: each rewrites whole dataset objects from what is stored, so two running
    /// together would each start from the original and the second commit would bring back the first subject's rows.
    /// </summary>
    private static readonly SemaphoreSlim Serial = new(1, 1);

    public async Task<Outcome<ErasureResult>> EraseAsync(string subjectKey, string principal, string? clientAddress, CancellationToken ct)
    {
        await Serial.WaitAsync(ct);
        try
        {
            return await EraseOneAsync(subjectKey, principal, clientAddress, ct);
        }
        finally
        {
            Serial.Release();
        }
    }

    private async Task<Outcome<ErasureResult>> EraseOneAsync(string subjectKey, string principal, string? clientAddress, CancellationToken ct)
    {
        if (!SubjectKeys.IsValid(subjectKey))
        {
            return PrivacyErrors.Subject();
        }

        var projectId = project.Required;
        var key = SubjectKeys.Normalise(subjectKey);
        var hmac = pseudonyms.Of(projectId, key);
        var now = time.GetUtcNow();
        var requestId = Guid.CreateVersion7(now);

        var written = new List<string>();
        var superseded = new List<string>();
        var erased = new List<ErasedDataset>();
        try
        {
            foreach (var dataset in await db.Datasets.Where(d => d.SubjectColumn != null).ToListAsync(ct))
            {
                var rewrite = await RewriteAsync(dataset, key, now, written, ct);
                if (!rewrite.Succeeded)
                {
                    throw new ErasureAbortedException(rewrite.Failure);
                }

                if (rewrite.Value is { } done)
                {
                    superseded.Add(done.OldObject);
                    erased.Add(done.Erased);
                }
            }

            var captures = (await SubjectCaptures.FindAsync(db, envelope, projectId, hmac, ct)).Select(c => c.Id).ToList();
            var labels = await db.FeedbackLabels.Where(f => captures.Contains(f.PredictionId)).ToListAsync(ct);
            db.FeedbackLabels.RemoveRange(labels);
            // A challenger's shadow scoring of an erased request goes with it (it is keyed by the champion's prediction id).
            db.CapturedPredictions.RemoveRange(await db.CapturedPredictions
                .Where(c => captures.Contains(c.Id) || (c.ShadowOf != null && captures.Contains(c.ShadowOf.Value))).ToListAsync(ct));

            var changed = erased.Select(e => e.Id).ToList();
            var versions = await db.ModelVersions.Where(v => v.DatasetId != null && changed.Contains(v.DatasetId.Value)).ToListAsync(ct);
            foreach (var version in versions)
            {
                version.RetrainRequiredAt = now;
                version.RetrainReason = "erasure " + requestId.ToString("D");
            }

            var retrain = versions.OrderBy(v => v.ModelName, StringComparer.Ordinal).ThenBy(v => v.Version)
                .Select(v => new RetrainTarget(v.ModelName, v.Version, v.Stage.ToString().ToLowerInvariant(), v.DatasetId!.Value)).ToList();
            var statement = ErasureReceipt.Statement(requestId, projectId, hmac, principal, now, erased, captures.Count, labels.Count, retrain);
            var receipt = signing.Current.Sign(ErasureReceipt.PayloadType, statement);
            await ledger.SaveChangesAsync(db, new AuditEntry(AuditCodes.PrivacyErasureCompleted, "privacy.erase", principal, "subject/" + hmac[..16], "success",
                clientAddress, new Dictionary<string, object?>
                {
                    ["request"] = requestId.ToString("D"),
                    ["subjectHmac"] = hmac,
                    ["datasets"] = erased.Count,
                    ["datasetRows"] = erased.Sum(e => e.RowsRemoved),
                    ["capturedPredictions"] = captures.Count,
                    ["feedbackLabels"] = labels.Count,
                    ["retrainRequired"] = retrain.Select(r => $"{r.Model}/{r.Version}").ToArray(),
                    ["receiptSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(receipt))),
                }, projectId), ct);

            // Committed: the old objects are no longer referenced by anything.
            foreach (var old in superseded)
            {
                artifacts.Delete(DatasetImporter.ArtifactPurpose, old);
            }

            Log.Erased(logger, requestId, erased.Count, captures.Count, retrain.Count);
            var started = await StartRetrainingAsync(versions, ct);
            return new ErasureResult(requestId, hmac, receipt, erased, captures.Count, labels.Count, retrain, started);
        }
        catch (Exception ex) when (ex is ErasureAbortedException or DbUpdateException or IOException)
        {
            foreach (var created in written)
            {
                artifacts.Delete(DatasetImporter.ArtifactPurpose, created);
            }

            db.ChangeTracker.Clear();
            var failure = ex is ErasureAbortedException aborted ? aborted.Failure : PrivacyErrors.Erasure("The erasure could not be committed; nothing was changed. Try again.");
            Log.Failed(logger, requestId, failure.Code);
            await ledger.AppendAsync(new AuditEntry(AuditCodes.PrivacyErasureFailed, "privacy.erase", principal, "subject/" + hmac[..16], "failure", clientAddress,
                new Dictionary<string, object?> { ["request"] = requestId.ToString("D"), ["code"] = failure.Code, ["subjectHmac"] = hmac }, projectId));
            return failure;
        }
    }

    /// <summary>
    /// Writes the dataset without the subject's rows to a new object and updates the tracked row (not yet saved).
    /// Null when the subject has no row in it.
    /// </summary>
    private async Task<Outcome<(string OldObject, ErasedDataset Erased)?>> RewriteAsync(Dataset dataset, string key, DateTimeOffset now, List<string> written, CancellationToken ct)
    {
        var text = await DatasetText.ReadAsync(artifacts, dataset, ct);
        if (!text.Succeeded)
        {
            return text.Failure;
        }

        var split = SubjectRows.Split(text.Value, dataset.SubjectColumn!, key);
        if (!split.Succeeded)
        {
            return PrivacyErrors.Erasure($"Dataset {dataset.Id} no longer parses; nothing was erased. Restore it from backup.");
        }

        var (remaining, kept, matched) = split.Value;
        if (matched.Count == 0)
        {
            return ((string, ErasedDataset)?)null;
        }

        var schema = SealedColumn.Open(envelope, dataset.SchemaJson, dataset.Id, SealedColumn.DatasetSchemaPurpose);
        var oldSchema = DatasetSchema.FromJson(schema);
        var bytes = Encoding.UTF8.GetBytes(remaining);
        var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
        DatasetSchema newSchema = oldSchema;
        if (kept > 0)
        {
            var limits = new DatasetsOptions { MaxBytes = long.MaxValue, MaxRows = int.MaxValue, MaxColumns = int.MaxValue, MaxCellLength = int.MaxValue };
            var parsed = DatasetImporter.Parse(remaining, limits, oldSchema.Label?.Name, DatasetAnalyzer.KindsOf(oldSchema), digest, dataset.Id, ColumnAnnotation.Of(oldSchema));
            if (!parsed.Succeeded)
            {
                return PrivacyErrors.Erasure($"Dataset {dataset.Id} does not parse without the subject's rows; nothing was erased.");
            }

            newSchema = parsed.Value.Schema;
        }
        else
        {
            // Every row was the subject's: no statistics are left to keep.
            newSchema = new DatasetSchema([.. oldSchema.Columns.Select(c => new DatasetColumnSchema(c.Name, c.Kind, Tag: c.Tag, Detected: c.Detected, Protection: c.Protection))]);
        }

        var oldObject = dataset.StoredObjectId;
        var objectId = Guid.CreateVersion7(now);
        await artifacts.PutAsync(DatasetImporter.ArtifactPurpose, objectId.ToString("N"), bytes, ct);
        written.Add(objectId.ToString("N"));

        dataset.ObjectId = objectId;
        dataset.ContentDigest = digest;
        dataset.RowCount = kept;
        dataset.SizeBytes = bytes.Length;
        dataset.SchemaJson = SealedColumn.Seal(envelope, newSchema.ToJson(), dataset.Id, SealedColumn.DatasetSchemaPurpose);
        return (oldObject, new ErasedDataset(dataset.Id, dataset.Name, matched.Count, kept, digest));
    }

    private async Task<IReadOnlyList<string>> StartRetrainingAsync(IReadOnlyList<ModelVersion> versions, CancellationToken ct)
    {
        var started = new List<string>();
        foreach (var production in versions.Where(v => v.Stage == ModelStage.Production))
        {
            if (monitoring.Value.RetrainingFor(production.ProjectId, production.ModelName) is { } policy && policy.Dataset.Length > 0
                && await retraining.StartAsync(production.ModelName, policy, "erasure", production, ct) is not null)
            {
                started.Add(production.ModelName);
            }
        }

        return started;
    }

    private sealed class ErasureAbortedException(Failure failure) : Exception(failure.Detail)
    {
        public Failure Failure { get; } = failure;
    }

    private static partial class Log
    {
        [LoggerMessage(7100, LogLevel.Information, "Erasure {RequestId}: {Datasets} datasets rewritten, {Captures} captures deleted, {Versions} model versions flagged for retraining")]
        public static partial void Erased(ILogger logger, Guid requestId, int datasets, int captures, int versions);

        [LoggerMessage(7101, LogLevel.Warning, "Erasure {RequestId} failed: {Code}; nothing was changed")]
        public static partial void Failed(ILogger logger, Guid requestId, string code);
    }
}

/// <summary>What an erasure did, with its signed receipt (a DSSE envelope as JSON text).</summary>
internal sealed record ErasureResult(
    Guid RequestId, string SubjectHmac, string Receipt, IReadOnlyList<ErasedDataset> Datasets, int CapturedPredictions, int FeedbackLabels,
    IReadOnlyList<RetrainTarget> RetrainRequired, IReadOnlyList<string> RetrainingStarted);
