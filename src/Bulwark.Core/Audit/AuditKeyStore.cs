using System.Security.Cryptography;
using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bulwark.Core.Audit;

/// <summary>
/// The audit signing keys: a dedicated ECDSA P-256 key per generation, used for nothing but checkpoints, exports and
/// evidence bundles (a leaked token-signing key must not be able to vouch for a forged ledger, and vice versa).
/// </summary>
/// <remarks>
/// A key is trusted only when its sealed private key decrypts under the key ring and matches its public key, so a row
/// inserted into the database with an attacker's public key cannot sign checkpoints that verify online. Offline, the
/// verifier trusts only the public keys the operator hands it, never the keys an export carries.
/// </remarks>
internal sealed class AuditKeyStore(IDbContextFactory<BulwarkDbContext> contexts, EnvelopeEncryption envelope, TimeProvider time) : IDisposable
{
    internal const string Purpose = "audit-signing-key";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile AuditKeySet? _current;

    public AuditKeySet Current => _current ?? throw new InvalidOperationException("The audit signing keys have not been loaded.");

    /// <summary>Loads every key (creating the first on a fresh install). A key that fails to unseal stops start-up.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (!await db.AuditSigningKeys.AnyAsync(k => k.RetiredAt == null, cancellationToken))
            {
                db.AuditSigningKeys.Add(NewKey());
                await db.SaveChangesAsync(cancellationToken);
            }

            await LoadAsync(db, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Adds a new active key and retires the current one, which keeps verifying what it signed. The caller records the
    /// rotation in the ledger in the same transaction (<paramref name="save"/>).
    /// </summary>
    public async Task<string> RotateAsync(Func<BulwarkDbContext, string, Task> save, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow();
            foreach (var active in await db.AuditSigningKeys.Where(k => k.RetiredAt == null).ToListAsync(cancellationToken))
            {
                active.RetiredAt = now;
            }

            var key = NewKey();
            db.AuditSigningKeys.Add(key);
            await save(db, key.KeyId);
            await LoadAsync(db, cancellationToken);
            return key.KeyId;
        }
        finally
        {
            _gate.Release();
        }
    }

    private AuditSigningKey NewKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = key.ExportSubjectPublicKeyInfo();
        var keyId = EcdsaP256.KeyIdOf(publicKey);
        var pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            return new AuditSigningKey
            {
                KeyId = keyId,
                PublicKey = publicKey,
                SealedPrivateKey = envelope.Encrypt(pkcs8, keyId, Purpose),
                CreatedAt = time.GetUtcNow(),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private async Task LoadAsync(BulwarkDbContext db, CancellationToken cancellationToken)
    {
        var rows = await db.AuditSigningKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);
        var trusted = new Dictionary<string, AuditPublicKey>(StringComparer.Ordinal);
        ECDsa? active = null;
        string? activeId = null;
        foreach (var row in rows)
        {
            var pkcs8 = envelope.Decrypt(row.SealedPrivateKey, row.KeyId, Purpose);
            var key = ECDsa.Create();
            try
            {
                key.ImportPkcs8PrivateKey(pkcs8, out _);
                if (key.KeySize != 256 || !key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(row.PublicKey) || EcdsaP256.KeyIdOf(row.PublicKey) != row.KeyId)
                {
                    throw new CryptographicException($"Audit signing key {row.KeyId} does not match its public key.");
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }

            trusted[row.KeyId] = new AuditPublicKey(row.KeyId, row.PublicKey, row.CreatedAt, row.RetiredAt);
            if (row.RetiredAt is null)
            {
                active?.Dispose();
                active = key;
                activeId = row.KeyId;
            }
            else
            {
                key.Dispose();
            }
        }

        // The previous set is not disposed: an export or evidence bundle that started before the rotation may still sign
        // with it (minutes later, for a long export), and disposing it under them made them fail without a signature.
        // Reference counting would need every signer to hold a lease for its whole run, and one forgotten lease would be a
        // latent crash; the garbage collector already is that reference count. Once unreachable, the ECDsa's native key
        // is freed by its finalizer, and OpenSSL clears the private scalar when it frees it. Rotations are rare, so at
        // most a few superseded sets wait for collection. Their key is retired but still trusted, so what it signs late
        // verifies like anything it signed before.
        _current = new AuditKeySet(activeId ?? throw new CryptographicException("No active audit signing key."), active!, trusted);
    }

    public void Dispose()
    {
        _current?.Dispose();
        _gate.Dispose();
    }
}

/// <summary>A public audit key, with when it was made and retired.</summary>
internal sealed record AuditPublicKey(string KeyId, byte[] SubjectPublicKeyInfo, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt)
{
    public string Pem => EcdsaP256.PublicKeyPem(SubjectPublicKeyInfo);
}

/// <summary>The active signing key and every key trusted for verification.</summary>
/// <remarks>Disposed only with the store (at shutdown); a set superseded by a rotation stays usable by whoever holds it.</remarks>
internal sealed class AuditKeySet(string activeKeyId, ECDsa active, IReadOnlyDictionary<string, AuditPublicKey> trusted) : IDisposable
{
    private bool _disposed;

    public string ActiveKeyId { get; } = activeKeyId;
    public IReadOnlyDictionary<string, AuditPublicKey> Trusted { get; } = trusted;

    /// <summary>Signs <paramref name="payload"/> as a DSSE envelope of <paramref name="payloadType"/>.</summary>
    public string Sign(string payloadType, byte[] payload)
    {
        var pae = Dsse.Pae(payloadType, payload);
        byte[] signature;
        lock (active)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            signature = EcdsaP256.Sign(active, pae);
        }

        return Dsse.Serialize(payloadType, payload, ActiveKeyId, signature);
    }

    public void Dispose()
    {
        lock (active)
        {
            _disposed = true;
            active.Dispose();
        }
    }
}
