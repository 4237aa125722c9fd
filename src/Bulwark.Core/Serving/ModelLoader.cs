using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Registry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Serving;

/// <summary>
/// The only way a runtime is created: verifies the version's DSSE signature, that the signed manifest is this row's
/// (model, version, version id, format), every artifact's bytes against the signed digests, and the row's stage tag
/// (<see cref="ModelStageTag"/>), before any byte reaches ML.NET or ONNX Runtime; the signed reference profile, when
/// the version has one, is read and checked against the schema with the rest. Any failure is audited
/// (ModelIntegrityFailure) and the model is not loaded.
/// </summary>
internal sealed class ModelLoader(
    ArtifactStore store,
    EnvelopeEncryption sealer,
    ManifestSigner signer,
    ModelStageTag stageTag,
    AuditLedger audit,
    IOptions<RegistryOptions> registryOptions,
    IOptions<ServingOptions> servingOptions,
    ILogger<ModelLoader> logger)
{
    public async Task<Outcome<LoadedModel>> LoadAsync(ModelVersion row, CancellationToken ct = default)
    {
        var verifier = await signer.GetVerifierAsync(ct);
        var (verification, files) = await VerifyAsync(row, verifier, ct);
        if (!verification.Valid)
        {
            return await RefuseAsync(row, verification.Code!, verification.Detail);
        }

        // The resolver already checked the tag before choosing this row; checked again here because the loader is the
        // only way to a runtime, whoever calls it.
        if (!stageTag.Verify(row))
        {
            ServingLog.IntegrityFailure(logger, row.ModelName, row.Version, RegistryErrors.StageTampered, "stage-tag");
            await audit.AppendAsync(ModelStageTag.TamperedEntry(row, "model.load"));
            return RegistryErrors.Tampered(row.ModelName, row.Version);
        }

        var content = verification.Manifest!.Content;
        FeatureSchema schema;
        try
        {
            schema = FeatureSchema.FromJson(content.FeatureSchemaJson);
        }
        catch (System.Text.Json.JsonException)
        {
            return await RefuseAsync(row, RegistryErrors.SignatureInvalid, "The signed feature schema cannot be read.");
        }

        // Trained versions carry a signed reference profile (the out-of-distribution guard); imported ones and versions
        // trained before profiles existed do not, and serve without the guard.
        ReferenceProfile? reference = null;
        if (files.TryGetValue(ReferenceProfile.FileName, out var referenceJson))
        {
            reference = ReferenceProfile.Read(referenceJson, schema, out var problem);
            if (reference is null)
            {
                return await RefuseAsync(row, RegistryErrors.SignatureInvalid, problem!);
            }
        }

        try
        {
            IModelRuntime runtime;
            if (content.Format == "onnx")
            {
                // Defence in depth: the same gate as import, in case a signed version predates a tightened rule.
                var inspected = OnnxInspector.Inspect(files[ModelImporter.OnnxFileName], registryOptions.Value);
                if (!inspected.Succeeded)
                {
                    return await RefuseAsync(row, RegistryErrors.DigestMismatch, inspected.Failure.Detail);
                }

                runtime = new OnnxModelRuntime(files[ModelImporter.OnnxFileName], schema, TimeSpan.FromSeconds(servingOptions.Value.InferenceTimeoutSeconds));
            }
            else
            {
                runtime = new MlNetModelRuntime(files["model.zip"], schema);
            }

            ServingLog.ModelLoaded(logger, row.ModelName, row.Version, content.Format, row.ManifestDigest);
            return new LoadedModel(row.Id, row.ModelName, row.Version, row.ManifestDigest, schema, runtime)
            {
                ProjectId = row.ProjectId,
                Reference = reference,
                OutOfDistribution = reference is null ? null : OutOfDistributionGuard.Create(reference, schema, servingOptions.Value.OodRangeMargin),
            };
        }
        catch (KeyVersionUnavailableException ex)
        {
            // Not tampering: the key ring refuses the version that wrapped this model's data (disabled, destroyed, below minimum).
            ServingLog.RuntimeFailed(logger, row.ModelName, row.Version, ex);
            return ex.ToFailure();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ServingLog.RuntimeFailed(logger, row.ModelName, row.Version, ex);
            return new Failure(ServingErrors.ModelNotReady, 503, $"Model '{row.ModelName}' version {row.Version} could not be loaded.");
        }
    }

    /// <summary>
    /// Checks a version's signature, manifest binding and every artifact's bytes without loading it (re-verification,
    /// quarantine fallback, reinstatement). Does not audit: the caller records what it concludes.
    /// </summary>
    public async Task<ManifestVerification> VerifyOnlyAsync(ModelVersion row, CancellationToken ct = default)
    {
        var (verification, _) = await VerifyAsync(row, await signer.GetVerifierAsync(ct), ct);
        return verification;
    }

    /// <summary>
    /// The same checks, for handing the version out (export, signature, BOM): the verified manifest, the plaintext
    /// envelope and, with <paramref name="withFiles"/>, the verified artifact bytes. Does not audit.
    /// </summary>
    public async Task<(ManifestVerification Verification, string Envelope, IReadOnlyDictionary<string, byte[]> Files)> ReadVerifiedAsync(
        ModelVersion row, bool withFiles, CancellationToken ct = default)
    {
        var (verification, files) = await VerifyAsync(row, await signer.GetVerifierAsync(ct), ct, withFiles);
        return (verification, verification.Valid ? ModelVersionView.ManifestEnvelope(sealer, row) : "", files);
    }

    private async Task<(ManifestVerification, Dictionary<string, byte[]>)> VerifyAsync(ModelVersion row, ManifestVerifier verifier, CancellationToken ct,
        bool withFiles = true)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string plainEnvelope;
        try
        {
            plainEnvelope = ModelVersionView.ManifestEnvelope(sealer, row);
        }
        catch (CryptographicException ex) when (ex is not KeyVersionUnavailableException)
        {
            // Sealed for another row (swapped), altered, or written in clear outside Bulwark: same as a bad signature.
            return (ManifestVerification.BadSignature("The stored manifest failed authenticated decryption."), files);
        }

        var envelope = verifier.VerifyEnvelope(plainEnvelope);
        if (!envelope.Valid)
        {
            return (envelope, files);
        }

        var manifest = envelope.Manifest!;
        var c = manifest.Content;
        var digest = ModelManifest.Sha256Hex(Encoding.UTF8.GetBytes(plainEnvelope));
        if (c.Model != row.ModelName || manifest.SubjectName != row.ModelName || c.Version != row.Version || c.VersionId != row.Id
            || c.Format != row.Format || c.Task != row.Task || digest != row.ManifestDigest)
        {
            return (ManifestVerification.BadSignature("The signed manifest belongs to another model version."), files);
        }

        if (c.Format is not ("onnx" or "mlnet") || !manifest.Resources.Any(r => r.Name == (c.Format == "onnx" ? ModelImporter.OnnxFileName : "model.zip")))
        {
            return (ManifestVerification.BadDigest("The signed manifest lacks the primary model file."), files);
        }

        if (!withFiles)
        {
            return (envelope, files);
        }

        // Files in the version's folder that the manifest does not name are a substitution attempt too.
        var folder = Path.GetDirectoryName(store.FullPath(ModelRegistrar.ArtifactPurpose, ModelRegistrar.ObjectId(row.Id, "x")))!;
        if (Directory.Exists(folder))
        {
            foreach (var path in Directory.EnumerateFiles(folder, "*.bwe"))
            {
                var name = Path.GetFileNameWithoutExtension(path);
                if (!manifest.Resources.Any(r => r.Name == name))
                {
                    return (ManifestVerification.BadDigest($"Stored file '{name}' is not covered by the signed manifest.", manifest), files);
                }
            }
        }

        foreach (var resource in manifest.Resources)
        {
            try
            {
                files[resource.Name] = await store.GetAsync(ModelRegistrar.ArtifactPurpose, ModelRegistrar.ObjectId(row.Id, resource.Name), ct);
            }
            catch (Exception ex) when (ex is (CryptographicException and not KeyVersionUnavailableException) or FileNotFoundException or DirectoryNotFoundException)
            {
                return (ManifestVerification.BadDigest($"File '{resource.Name}' is missing or failed authenticated decryption.", manifest), files);
            }
        }

        return (ManifestVerifier.VerifyFiles(manifest, files), files);
    }

    private async Task<Outcome<LoadedModel>> RefuseAsync(ModelVersion row, string code, string reason)
    {
        ServingLog.IntegrityFailure(logger, row.ModelName, row.Version, code, reason);
        await audit.AppendAsync(new AuditEntry(AuditCodes.ModelIntegrityFailure, "model.load", "system", $"model/{row.ModelName}/{row.Version}", "failure",
            Details: new Dictionary<string, object?> { ["code"] = code, ["reason"] = reason, ["versionId"] = row.Id.ToString("D") },
            ProjectId: row.ProjectId));
        return ServingErrors.Integrity(code, row.ModelName, row.Version);
    }
}
