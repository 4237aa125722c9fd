using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Serving;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Registry;

/// <summary>
/// Imports an externally trained model. Only ONNX is accepted: it is a declarative graph, so loading it runs no code
/// from the file, unlike pickle-based formats (PyTorch, joblib) that execute arbitrary Python on load. Every refusal
/// is audited with what the file looked like, so an attempted pickle upload shows up in the ledger.
/// </summary>
/// <remarks>
/// An import may carry an OpenSSF model-signing bundle over the file (<see cref="ExternalSignature"/>). It is checked
/// before the file is parsed at all, so an untrusted or altered upload never reaches the ONNX reader; the accepted
/// signer's key id goes into the version's signed manifest and the bundle is kept as a signed artifact file
/// (<see cref="ExternalSignatureFileName"/>), so anyone can re-check it later from an export.
/// </remarks>
internal sealed class ModelImporter(ModelRegistrar registrar, AuditLedger audit, TrustedSigners trustedSigners, IOptions<RegistryOptions> options)
{
    public const string OnnxFileName = "model.onnx";
    public const string ExternalSignatureFileName = "external.sig";

    public Task<Outcome<ModelVersion>> ImportOnnxAsync(string modelName, byte[] bytes, ImportedModelSchema schema, string principal, string? client, CancellationToken ct = default) =>
        ImportOnnxAsync(modelName, bytes, schema, null, principal, client, ct);

    /// <param name="signature">An OMS v1.0 bundle (JSON) over <paramref name="bytes"/>, or null for an unsigned import.</param>
    public async Task<Outcome<ModelVersion>> ImportOnnxAsync(
        string modelName, byte[] bytes, ImportedModelSchema schema, byte[]? signature, string principal, string? client, CancellationToken ct = default)
    {
        var limits = options.Value;
        var identity = ModelFormatSniffer.Identify(bytes, limits.MaxModelBytes > long.MaxValue / 4 ? long.MaxValue : limits.MaxModelBytes * 4);
        var signer = CheckSignature(bytes, signature, limits);
        if (!signer.Succeeded)
        {
            await RejectAsync(modelName, bytes, identity, signer.Failure, principal, client, signature);
            return signer.Failure;
        }

        var outcome = Check(modelName, bytes, schema, identity, limits);
        if (!outcome.Succeeded)
        {
            await RejectAsync(modelName, bytes, identity, outcome.Failure, principal, client, signature);
            return outcome.Failure;
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [OnnxFileName] = bytes };
        if (signer.Value is not null)
        {
            files[ExternalSignatureFileName] = signature!;
        }

        return await registrar.RegisterAsync(new NewModelVersion(modelName, "onnx", schema.Task, outcome.Value, files,
            new Dictionary<string, double>(), null, null, null, null, principal, client, ExternalSigner: signer.Value?.KeyId), ct);
    }

    private Outcome<TrustedSigner?> CheckSignature(byte[] bytes, byte[]? signature, RegistryOptions limits)
    {
        if (signature is null)
        {
            return limits.RequireExternalSignature
                ? new Failure(RegistryErrors.SignatureRequired, 422,
                    "This registry only imports models signed by a trusted signer: send the OMS v1.0 bundle as the 'signature' part.")
                : new Outcome<TrustedSigner?>(null, null);
        }

        var verified = ExternalSignature.Verify(signature, bytes, trustedSigners);
        return verified.Succeeded ? new Outcome<TrustedSigner?>(verified.Value, null) : verified.Failure;
    }

    private static Outcome<FeatureSchema> Check(string modelName, byte[] bytes, ImportedModelSchema schema, ModelFileIdentity identity, RegistryOptions limits)
    {
        if (!Permissions.IsValidModelName(modelName))
        {
            return RegistryErrors.Schema("Model names are lowercase letters, digits, '.', '_' and '-', at most 64 characters.");
        }

        if (bytes.LongLength > limits.MaxModelBytes)
        {
            return new Failure(RegistryErrors.OnnxInvalid, 413, $"The model is larger than the {limits.MaxModelBytes} byte limit.");
        }

        if (identity.Kind == ModelFileKind.UnsafeArchive)
        {
            return new Failure(RegistryErrors.ArchiveUnsafe, 422, $"The file is {identity.Description}; it was not unpacked.");
        }

        if (identity.Code is { } code)
        {
            return new Failure(code, 422, $"The file is {identity.Description}; it was not loaded, and only ONNX models can be imported.");
        }

        if (identity.Kind != ModelFileKind.Onnx)
        {
            return RegistryErrors.Unsupported($"The file is {identity.Description}; only ONNX models can be imported.");
        }

        var inspected = OnnxInspector.Inspect(bytes, limits);
        if (!inspected.Succeeded)
        {
            return inspected.Failure;
        }

        var bound = ImportedSchemaBinder.Bind(schema, inspected.Value);
        if (!bound.Succeeded)
        {
            return bound.Failure;
        }

        return SmokeTest(bytes, bound.Value);
    }

    // One all-zero row through ONNX Runtime: proves the graph loads and its output has the width the schema promises,
    // so a wrong declaration fails here instead of on the first production request.
    private static Outcome<FeatureSchema> SmokeTest(byte[] bytes, FeatureSchema schema)
    {
        try
        {
            using var runtime = new OnnxModelRuntime(bytes, schema);
            var output = new float[runtime.OutputWidth];
            runtime.Predict(new float[schema.VectorWidth], 1, output);
            return schema;
        }
        catch (Exception ex) when (ex is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            return RegistryErrors.Schema("The model does not run with the declared schema: its input or output does not match.");
        }
    }

    private Task RejectAsync(string modelName, byte[] bytes, ModelFileIdentity identity, Failure failure, string principal, string? client, byte[]? signature) =>
        audit.AppendAsync(new AuditEntry(AuditCodes.ModelImportRejected, "model.import", principal,
            "model/" + (Permissions.IsValidModelName(modelName) ? modelName : "?"), "failure", client,
            new Dictionary<string, object?>
            {
                ["code"] = failure.Code,
                ["detected"] = identity.Description,
                ["severity"] = identity.Severity,
                ["bytes"] = bytes.LongLength,
                ["sha256"] = ModelManifest.Sha256Hex(bytes),
                ["signed"] = signature is not null,
                ["signerHint"] = signature is not null && OmsBundle.TryParse(signature, out var bundle, out _) ? bundle.PublicKeyHint : null,
            }));
}
