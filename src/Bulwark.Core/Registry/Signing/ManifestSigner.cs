using System.Security.Cryptography;
using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Registry;

/// <summary>
/// Holds the manifest signing key (ECDSA P-256, signatures over the DSSE PAE with SHA-256, DER-encoded as OpenSSF model
/// signing and OpenSSL expect; versions signed before carry IEEE P1363 r||s signatures, which still verify).
/// The key is generated on first use and kept only encrypted at rest (ArtifactStore, purpose "signing-key") as PKCS#8;
/// its key id is the lowercase hex SHA-256 of its SubjectPublicKeyInfo, so anyone holding the public key can recompute it.
/// </summary>
/// <remarks>
/// A stored key that fails to decrypt is never replaced silently: that would let an attacker who deletes or corrupts the
/// key file make the server mint a new key and sign whatever is registered next. It throws and the operator decides.
/// The same holds for a missing key file once any model version exists: those versions were signed by the lost key, so
/// a fresh key would leave every one of them failing verification. A key is generated only for an empty registry.
/// </remarks>
internal sealed class ManifestSigner(ArtifactStore store, IDbContextFactory<BulwarkDbContext> contexts) : IDisposable
{
    public const string KeyPurpose = "signing-key";
    public const string KeyObjectId = "manifest-signing";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ECDsa? _key;
    private string _keyId = "";
    private byte[] _publicKey = [];

    /// <summary>Loads the signing key, creating it on first start.</summary>
    /// <exception cref="CryptographicException">The stored key exists but cannot be decrypted (altered or another master key).</exception>
    /// <exception cref="SecurityConfigurationException">The key file is missing although model versions signed with it exist.</exception>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _key) is not null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_key is not null)
            {
                return;
            }

            var path = store.FullPath(KeyPurpose, KeyObjectId);
            if (!File.Exists(path))
            {
                await RefuseIfVersionsExistAsync(path, cancellationToken);
            }

            var key = ECDsa.Create();
            byte[] pkcs8;
            if (File.Exists(path))
            {
                pkcs8 = await store.GetAsync(KeyPurpose, KeyObjectId, cancellationToken);
                key.ImportPkcs8PrivateKey(pkcs8, out _);
                if (key.KeySize != 256)
                {
                    throw new CryptographicException("The stored manifest signing key is not a P-256 key.");
                }
            }
            else
            {
                key.GenerateKey(ECCurve.NamedCurves.nistP256);
                pkcs8 = key.ExportPkcs8PrivateKey();
                await store.PutAsync(KeyPurpose, KeyObjectId, pkcs8, cancellationToken);
            }

            CryptographicOperations.ZeroMemory(pkcs8);
            _publicKey = key.ExportSubjectPublicKeyInfo();
            _keyId = KeyIdOf(_publicKey);
            Volatile.Write(ref _key, key);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RefuseIfVersionsExistAsync(string path, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var versions = await db.ModelVersions.IgnoreQueryFilters().CountAsync(cancellationToken);
        if (versions > 0)
        {
            throw new SecurityConfigurationException(
                $"The manifest signing key is missing from {path} but {versions} model versions exist; restore it from backup " +
                "(it is encrypted under the master key, so restore the matching master key too). Bulwark does not generate a " +
                "new key here: every existing version would fail verification, and whoever deleted the key could have new " +
                "artifacts signed.");
        }
    }

    public static string KeyIdOf(ReadOnlySpan<byte> subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>Signs an in-toto statement and returns the DSSE envelope JSON.</summary>
    public async Task<string> SignAsync(byte[] statement, CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        var pae = Dsse.Pae(Dsse.InTotoPayloadType, statement);
        byte[] signature;
        lock (_key!)
        {
            signature = _key.SignData(pae, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }

        return Dsse.Serialize(Dsse.InTotoPayloadType, statement, _keyId, signature);
    }

    public async Task<string> GetKeyIdAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        return _keyId;
    }

    /// <summary>The public key as PEM ("PUBLIC KEY", SubjectPublicKeyInfo) for offline verification.</summary>
    public async Task<string> GetPublicKeyPemAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        return PemEncoding.WriteString("PUBLIC KEY", _publicKey);
    }

    /// <summary>The public key's SubjectPublicKeyInfo (DER).</summary>
    public async Task<byte[]> GetPublicKeyAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        return [.. _publicKey];
    }

    /// <summary>A verifier trusting this server's key.</summary>
    public async Task<ManifestVerifier> GetVerifierAsync(CancellationToken cancellationToken = default)
    {
        await InitializeAsync(cancellationToken);
        return new ManifestVerifier([_publicKey]);
    }

    public void Dispose()
    {
        _key?.Dispose();
        _gate.Dispose();
    }
}
