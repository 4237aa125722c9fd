using System.Security.Cryptography;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Registry;

/// <summary>
/// Verifies a model folder against an OMS v1.0 bundle and one trusted public key, with nothing else: no server, no
/// database, no network. Order matters: the signature is checked before any signed name is used, names are checked
/// before any path is opened, and the folder is walked once, refusing symlinks, before anything is hashed.
/// </summary>
/// <remarks>
/// The folder must hold exactly the signed files: a missing file, a changed byte or any extra file fails (the bundle
/// file itself excepted, wherever it is inside the folder). Extra files matter because a loader may pick up a file the
/// signer never saw (a second model, a pickled loader script). The signer's own <c>ignore_paths</c> are not honoured for
/// the same reason.
/// </remarks>
internal static class ModelDirectoryVerifier
{
    public static DirectoryVerification Verify(string directory, byte[] bundleJson, string trustedPublicKeyPem, string? bundlePath = null)
    {
        if (!SignerKey.TryRead(trustedPublicKeyPem, out var trusted, out var keyError))
        {
            return DirectoryVerification.Fail(RegistryErrors.BundleInvalid, $"The trusted key is unusable: {keyError}.");
        }

        var signed = VerifyBundle(bundleJson, trusted);
        if (!signed.Valid)
        {
            return signed;
        }

        var statement = signed.Statement!;
        var unsafeName = statement.Resources.FirstOrDefault(r => !ResourcePath.IsSafe(r.Name));
        if (unsafeName is not null)
        {
            return DirectoryVerification.Fail(RegistryErrors.PathUnsafe,
                $"The signature names '{Printable(unsafeName.Name)}', which is not a plain path inside the model folder.", statement);
        }

        var files = Walk(directory, bundlePath, statement, out var walkError);
        if (files is null)
        {
            return walkError!;
        }

        var expected = statement.Resources.ToDictionary(r => r.Name, StringComparer.Ordinal);
        var extra = files.Keys.FirstOrDefault(f => !expected.ContainsKey(f));
        if (extra is not null)
        {
            return DirectoryVerification.Fail(RegistryErrors.DigestMismatch, $"File '{Printable(extra)}' is not covered by the signature.", statement);
        }

        foreach (var resource in statement.Resources)
        {
            if (!files.TryGetValue(resource.Name, out var path))
            {
                return DirectoryVerification.Fail(RegistryErrors.DigestMismatch, $"File '{resource.Name}' named by the signature is missing.", statement);
            }

            byte[] actual;
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
                actual = SHA256.HashData(stream);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return DirectoryVerification.Fail(RegistryErrors.DigestMismatch, $"File '{resource.Name}' cannot be read.", statement);
            }

            if (!CryptographicOperations.FixedTimeEquals(actual, Convert.FromHexString(resource.Sha256)))
            {
                return DirectoryVerification.Fail(RegistryErrors.DigestMismatch, $"File '{resource.Name}' does not match its signed digest.", statement);
            }
        }

        return signed with { Detail = $"{statement.Resources.Count} files verified, root digest {statement.RootDigest}" };
    }

    /// <summary>Checks the bundle, the key hint and the DSSE signature under <paramref name="trusted"/>, and parses the statement.</summary>
    public static DirectoryVerification VerifyBundle(byte[] bundleJson, byte[] trusted)
    {
        if (!OmsBundle.TryParse(bundleJson, out var bundle, out var error))
        {
            return DirectoryVerification.Fail(RegistryErrors.BundleInvalid, error);
        }

        if (!bundle.Names(trusted))
        {
            return DirectoryVerification.Fail(RegistryErrors.SignerUntrusted,
                $"The bundle was signed by key {bundle.PublicKeyHint}, not by the trusted key {OmsBundle.HintOf(trusted)}.");
        }

        var envelope = bundle.Envelope;
        var (_, sig) = envelope.Signatures[0];
        if (envelope.PayloadType != Dsse.InTotoPayloadType
            || !ManifestVerifier.VerifyP256(trusted, Dsse.Pae(envelope.PayloadType, envelope.Payload), sig))
        {
            return DirectoryVerification.Fail(RegistryErrors.SignatureInvalid, "The DSSE signature does not verify under the trusted key.");
        }

        if (!OmsStatement.TryParse(envelope.Payload, out var statement, out error))
        {
            return DirectoryVerification.Fail(RegistryErrors.BundleInvalid, error);
        }

        var content = ModelManifest.TryParse(envelope.Payload, out var manifest, out _) ? manifest.Content : null;
        return new DirectoryVerification(true, null, "signature verified", statement, content);
    }

    /// <summary>Relative path (with '/') → full path of every regular file in the folder; null with the failure otherwise.</summary>
    private static Dictionary<string, string>? Walk(string directory, string? bundlePath, OmsStatement statement, out DirectoryVerification? failure)
    {
        failure = null;
        var root = new DirectoryInfo(Path.GetFullPath(directory));
        if (!root.Exists)
        {
            failure = DirectoryVerification.Fail(RegistryErrors.DigestMismatch, $"Folder '{directory}' does not exist.", statement);
            return null;
        }

        var skip = bundlePath is null ? null : Path.GetFullPath(bundlePath);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false, ReturnSpecialDirectories = false };
        try
        {
            foreach (var entry in root.EnumerateFileSystemInfos("*", options))
            {
                var relative = Path.GetRelativePath(root.FullName, entry.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (entry.LinkTarget is not null)
                {
                    failure = DirectoryVerification.Fail(RegistryErrors.PathUnsafe, $"'{Printable(relative)}' is a symbolic link; links are refused.", statement);
                    return null;
                }

                if (entry is DirectoryInfo || string.Equals(entry.FullName, skip, StringComparison.Ordinal))
                {
                    continue;
                }

                if (entry is not FileInfo || (entry.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) != 0 || !ResourcePath.IsSafe(relative))
                {
                    failure = DirectoryVerification.Fail(RegistryErrors.PathUnsafe, $"'{Printable(relative)}' is not a regular file with a plain name.", statement);
                    return null;
                }

                files[relative] = entry.FullName;
                if (files.Count > OmsStatement.MaxResources)
                {
                    failure = DirectoryVerification.Fail(RegistryErrors.DigestMismatch, $"The folder holds more than {OmsStatement.MaxResources} files.", statement);
                    return null;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = DirectoryVerification.Fail(RegistryErrors.DigestMismatch, $"Folder '{directory}' cannot be read completely.", statement);
            return null;
        }

        return files;
    }

    private static string Printable(string name) => new([.. name.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
}
