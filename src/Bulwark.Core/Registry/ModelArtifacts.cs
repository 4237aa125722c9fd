using System.IO.Compression;
using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Serving;

namespace Bulwark.Core.Registry;

/// <summary>A version's files and signature as one zip: the files at the root, the OMS bundle as <c>model.sig</c>.</summary>
internal sealed record ExportedModel(string FileName, byte[] Zip, string RootDigest);

/// <summary>
/// Hands a model version out of the registry for use elsewhere: its OpenSSF model-signing bundle, a zip of its files
/// plus that bundle (verifiable offline with <see cref="ModelDirectoryVerifier"/> or the reference tool), and its AI
/// BOM. Everything goes through the same verification as loading (<see cref="ModelLoader"/>): a version whose
/// signature, binding or bytes fail is refused (503) and audited as an integrity failure, never exported. Reads are
/// scoped to the caller's project by the registry's query filter.
/// </summary>
internal sealed class ModelArtifacts(ModelRegistry registry, ModelLoader loader, ManifestSigner signer, AuditLedger audit, TimeProvider time)
{
    private sealed record Verified(ModelVersion Row, SignedManifest Manifest, string Envelope, IReadOnlyDictionary<string, byte[]> Files);

    /// <summary>The version's OMS v1.0 bundle (Sigstore bundle v0.3 JSON). Audited: the statement carries training statistics.</summary>
    public async Task<Outcome<string>> SignatureAsync(string model, int version, string principal, string? client, CancellationToken ct = default)
    {
        var verified = await ReadAsync(model, version, withFiles: false, "model.export-signature", ct);
        if (!verified.Succeeded)
        {
            return verified.Failure;
        }

        var bundle = await BundleAsync(verified.Value.Envelope, ct);
        await audit.AppendAsync(Exported(verified.Value, "model.export-signature", principal, client, new Dictionary<string, object?>()));
        return bundle;
    }

    /// <summary>The version's files (decrypted, verified) and <c>model.sig</c> as a zip; audited with the zip's digest.</summary>
    public async Task<Outcome<ExportedModel>> ExportAsync(string model, int version, string principal, string? client, CancellationToken ct = default)
    {
        var verified = await ReadAsync(model, version, withFiles: true, "model.export", ct);
        if (!verified.Succeeded)
        {
            return verified.Failure;
        }

        var v = verified.Value;
        var bundle = Encoding.UTF8.GetBytes(await BundleAsync(v.Envelope, ct));
        byte[] zip;
        using (var buffer = new MemoryStream())
        {
            using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var resource in v.Manifest.Resources)
                {
                    await AddAsync(archive, resource.Name, v.Files[resource.Name], v.Manifest.Content.CreatedAt, ct);
                }

                await AddAsync(archive, ModelManifest.SignatureFileName, bundle, v.Manifest.Content.CreatedAt, ct);
            }

            zip = buffer.ToArray();
        }

        await audit.AppendAsync(Exported(v, "model.export", principal, client, new Dictionary<string, object?>
        {
            ["files"] = v.Manifest.Resources.Count,
            ["bytes"] = zip.LongLength,
            ["sha256"] = ModelManifest.Sha256Hex(zip),
        }));
        return new ExportedModel($"{v.Row.ModelName}-{v.Row.Version}.zip", zip, v.Manifest.RootDigest);
    }

    /// <summary>The version's CycloneDX 1.6 AI BOM, from the verified signed manifest.</summary>
    public async Task<Outcome<string>> BomAsync(string model, int version, CancellationToken ct = default)
    {
        var verified = await ReadAsync(model, version, withFiles: false, "model.bom", ct);
        return verified.Succeeded
            ? ModelBom.Build(verified.Value.Manifest, await signer.GetKeyIdAsync(ct), Guid.NewGuid(), time.GetUtcNow(), ModelRegistrar.ProductVersion)
            : verified.Failure;
    }

    private async Task<string> BundleAsync(string envelopeJson, CancellationToken ct)
    {
        // The envelope verified a moment ago, so it parses; anything else is a bug, not an input error.
        if (!Dsse.TryParse(envelopeJson, out var envelope, out var error))
        {
            throw new InvalidOperationException("A verified manifest envelope did not parse: " + error);
        }

        return OmsBundle.Serialize(envelope, await signer.GetPublicKeyAsync(ct));
    }

    private async Task<Outcome<Verified>> ReadAsync(string model, int version, bool withFiles, string action, CancellationToken ct)
    {
        var row = await registry.GetVersionAsync(model, version, ct);
        if (!row.Succeeded)
        {
            return row.Failure;
        }

        var (verification, envelope, files) = await loader.ReadVerifiedAsync(row.Value, withFiles, ct);
        if (!verification.Valid)
        {
            var r = row.Value;
            await audit.AppendAsync(new AuditEntry(AuditCodes.ModelIntegrityFailure, action, "system", $"model/{r.ModelName}/{r.Version}", "failure",
                Details: new Dictionary<string, object?> { ["code"] = verification.Code, ["reason"] = verification.Detail, ["versionId"] = r.Id.ToString("D") },
                ProjectId: r.ProjectId));
            return ServingErrors.Integrity(verification.Code ?? RegistryErrors.SignatureInvalid, r.ModelName, r.Version);
        }

        return new Verified(row.Value, verification.Manifest!, envelope, files);
    }

    private static AuditEntry Exported(Verified v, string action, string principal, string? client, Dictionary<string, object?> details)
    {
        details["version"] = v.Row.Version;
        details["rootDigest"] = v.Manifest.RootDigest;
        details["manifestDigest"] = v.Row.ManifestDigest;
        return new AuditEntry(AuditCodes.ModelExported, action, principal, $"model/{v.Row.ModelName}/{v.Row.Version}", "success", client, details, v.Row.ProjectId);
    }

    private static async Task AddAsync(ZipArchive archive, string name, byte[] bytes, DateTimeOffset at, CancellationToken ct)
    {
        var entry = archive.CreateEntry(name, CompressionLevel.Fastest);
        entry.LastWriteTime = at;
        await using var stream = entry.Open();
        await stream.WriteAsync(bytes, ct);
    }
}
