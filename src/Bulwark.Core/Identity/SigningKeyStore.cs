using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Identity.Tokens;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Identity;

/// <summary>
/// The access-token signing keys: ECDSA P-256 private keys sealed under the key ring (bound to their key id), one
/// active, retired ones kept in the published set for an overlap (token lifetime + clock skew) so tokens signed just
/// before a rotation keep verifying until they expire.
/// </summary>
internal sealed class SigningKeyStore(
    IDbContextFactory<BulwarkDbContext> contexts,
    EnvelopeEncryption envelope,
    AuditLedger audit,
    IOptions<TokenOptions> options,
    TimeProvider time) : IDisposable
{
    internal const string Purpose = "jwt-signing-key";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile SigningKeySet? _current;

    /// <summary>The key set in force; <see cref="InitializeAsync"/> runs at start-up so this is never empty while serving.</summary>
    public SigningKeySet Current => _current ?? throw new InvalidOperationException("The signing keys have not been loaded.");

    /// <summary>Loads the keys and creates the first one on a fresh install. A key that does not decrypt stops start-up.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (!await db.SigningKeys.AnyAsync(k => k.RetiredAt == null, cancellationToken))
            {
                db.SigningKeys.Add(Seal(SigningKeyMaterial.Generate(time)));
                await db.SaveChangesAsync(cancellationToken);
            }

            await LoadAsync(db, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Makes a new key active and retires the current one (it keeps verifying for the overlap).</summary>
    public async Task<string> RotateAsync(string actor, string? client, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow();
            foreach (var active in await db.SigningKeys.Where(k => k.RetiredAt == null).ToListAsync(cancellationToken))
            {
                active.RetiredAt = now;
            }

            var material = SigningKeyMaterial.Generate(time);
            db.SigningKeys.Add(Seal(material));
            await audit.SaveChangesAsync(db, new AuditEntry(AuditCodes.SigningKeyRotated, "token.rotate-key", actor, "signing-key/" + material.KeyId, "success", client),
                cancellationToken);
            await LoadAsync(db, cancellationToken);
            return material.KeyId;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task LoadAsync(BulwarkDbContext db, CancellationToken cancellationToken)
    {
        var overlap = options.Value.KeyOverlap;
        var horizon = time.GetUtcNow() - overlap;
        var rows = await db.SigningKeys.AsNoTracking().Where(k => k.RetiredAt == null || k.RetiredAt > horizon).ToListAsync(cancellationToken);
        var materials = rows.Select(r => new SigningKeyMaterial(r.KeyId, envelope.Decrypt(r.SealedPrivateKey, r.KeyId, Purpose), r.CreatedAt, r.RetiredAt)).ToList();
        _current = new SigningKeySet(materials, overlap, time);
    }

    private SigningKeyRecord Seal(SigningKeyMaterial material) => new()
    {
        KeyId = material.KeyId,
        SealedPrivateKey = envelope.Encrypt(material.Pkcs8PrivateKey, material.KeyId, Purpose),
        CreatedAt = material.CreatedAt,
    };

    public void Dispose() => _gate.Dispose();
}
