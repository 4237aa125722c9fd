using System.Reflection;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Registry;

/// <summary>
/// Registers a new model version: encrypts its files into the artifact store, signs a manifest over them and saves the
/// version (stage Candidate) with its audit event in one transaction. Versions number 1, 2, … per model.
/// </summary>
internal sealed class ModelRegistrar(
    BulwarkDbContext db,
    ProjectScope project,
    ArtifactStore store,
    EnvelopeEncryption sealer,
    ManifestSigner signer,
    AuditLedger audit,
    ModelStageTag stageTag,
    TimeProvider time)
{
    public const string ArtifactPurpose = "model";
    private const int MaxAttempts = 5;

    internal static readonly string ProductVersion =
        typeof(ModelRegistrar).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static string ObjectId(Guid versionId, string fileName) => $"{versionId:N}/{fileName}";

    public async Task<Outcome<ModelVersion>> RegisterAsync(NewModelVersion nv, CancellationToken ct = default)
    {
        var invalid = Validate(nv);
        if (invalid is not null)
        {
            return invalid;
        }

        var featureSchemaJson = nv.FeatureSchema.ToJson();
        var metricsJson = ModelManifest.MetricsJson(nv.Metrics);

        // The unique (ModelName, Version) index settles races between concurrent registrations: the loser re-reads the
        // next number and signs again (the version number is part of the signed manifest).
        for (var attempt = 1; ; attempt++)
        {
            var versionId = Guid.CreateVersion7(time.GetUtcNow());
            var stored = new List<string>();
            try
            {
                var last = await db.ModelVersions.AsNoTracking().Where(v => v.ModelName == nv.ModelName)
                    .MaxAsync(v => (int?)v.Version, ct);
                var number = (last ?? 0) + 1;
                var now = time.GetUtcNow();

                foreach (var (name, bytes) in nv.Files)
                {
                    await store.PutAsync(ArtifactPurpose, ObjectId(versionId, name), bytes, ct);
                    stored.Add(name);
                }

                var content = new ManifestContent(nv.ModelName, number, versionId, nv.Format, nv.Task, featureSchemaJson, nv.DatasetId,
                    nv.DatasetDigest, nv.Trainer, nv.Parameters, nv.Metrics, nv.CreatedBy, now, ProductVersion, nv.ExternalSigner, RuntimeVersions.Current);
                var envelope = await signer.SignAsync(ModelManifest.BuildStatement(content, nv.Files), ct);
                var version = new ModelVersion
                {
                    Id = versionId,
                    ProjectId = project.Required,
                    ModelName = nv.ModelName,
                    Version = number,
                    Stage = ModelStage.Candidate,
                    Format = nv.Format,
                    Task = nv.Task,
                    // Both columns carry the feature schema (category values and training statistics derived from the
                    // dataset): sealed at rest. The digest stays over the plaintext envelope, as signed and audited.
                    ManifestEnvelope = SealedColumn.Seal(sealer, envelope, versionId, SealedColumn.ManifestPurpose),
                    ManifestDigest = ModelManifest.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(envelope)),
                    FeatureSchemaJson = SealedColumn.Seal(sealer, featureSchemaJson, versionId, SealedColumn.FeatureSchemaPurpose),
                    MetricsJson = metricsJson,
                    DatasetId = nv.DatasetId,
                    CreatedBy = nv.CreatedBy,
                    CreatedAt = now,
                };
                stageTag.Apply(version);
                db.ModelVersions.Add(version);
                try
                {
                    await audit.SaveChangesAsync(db, AuditFor(nv, version), ct);
                }
                catch
                {
                    db.Entry(version).State = EntityState.Detached;
                    throw;
                }

                return version;
            }
            catch (DbUpdateException) when (attempt < MaxAttempts)
            {
                DeleteFiles(versionId, stored);
            }
            catch
            {
                DeleteFiles(versionId, stored);
                throw;
            }
        }
    }

    // Every version is audited in the same save as its row, so no version can exist without its event: imports as
    // ModelImported, trained versions as TrainingSucceeded (the training job's success event; the runner writes no
    // second one).
    private static List<AuditEntry> AuditFor(NewModelVersion nv, ModelVersion version)
    {
        if (nv.Trainer is not null)
        {
            var details = new Dictionary<string, object?>
            {
                ["job"] = nv.JobId,
                ["model"] = version.ModelName,
                ["version"] = version.Version,
                ["format"] = version.Format,
                ["task"] = version.Task,
                ["manifest_digest"] = version.ManifestDigest,
                ["dataset_digest"] = nv.DatasetDigest,
                ["trainer"] = nv.Trainer,
            };
            foreach (var (name, value) in nv.Metrics.Where(m => double.IsFinite(m.Value)))
            {
                details["metric." + name] = Math.Round(value, 6);
            }

            return
            [
                new AuditEntry(AuditCodes.TrainingSucceeded, "model.register", nv.CreatedBy, $"model/{version.ModelName}/{version.Version}", "success",
                    nv.ClientAddress, details, version.ProjectId),
            ];
        }

        return
        [
            new AuditEntry(AuditCodes.ModelImported, "model.import", nv.CreatedBy, $"model/{version.ModelName}/{version.Version}", "success",
                nv.ClientAddress, new Dictionary<string, object?>
                {
                    ["version"] = version.Version,
                    ["format"] = version.Format,
                    ["task"] = version.Task,
                    ["manifestDigest"] = version.ManifestDigest,
                    ["externalSigner"] = nv.ExternalSigner,
                }, version.ProjectId),
        ];
    }

    private void DeleteFiles(Guid versionId, List<string> stored)
    {
        foreach (var name in stored)
        {
            try
            {
                store.Delete(ArtifactPurpose, ObjectId(versionId, name));
            }
            catch (IOException)
            {
                // Best effort: an orphaned encrypted file is unreachable without a signed manifest naming it.
            }
        }

        try
        {
            var dir = Path.GetDirectoryName(store.FullPath(ArtifactPurpose, ObjectId(versionId, "x")))!;
            if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
            {
                Directory.Delete(dir);
            }
        }
        catch (IOException)
        {
        }
    }

    private static Failure? Validate(NewModelVersion nv)
    {
        if (!Permissions.IsValidModelName(nv.ModelName))
        {
            return RegistryErrors.Schema("Model names are lowercase letters, digits, '.', '_' and '-', at most 64 characters.");
        }

        if (nv.Format is not ("mlnet" or "onnx"))
        {
            return RegistryErrors.Schema("Format must be \"mlnet\" or \"onnx\".");
        }

        if (nv.Task is not ("binary" or "multiclass" or "regression") || nv.Task != nv.FeatureSchema.Output.Task)
        {
            return RegistryErrors.Schema("Task must be binary, multiclass or regression and match the feature schema.");
        }

        if (nv.Files.Count == 0 || nv.Files.Keys.Any(n => !ManifestFileName.IsPlain(n)))
        {
            return RegistryErrors.Schema("A model version needs at least one artifact file, each with a plain file name.");
        }

        var primary = nv.Format == "onnx" ? "model.onnx" : "model.zip";
        return nv.Files.ContainsKey(primary) ? null : RegistryErrors.Schema($"A {nv.Format} model version needs a '{primary}' file.");
    }
}
