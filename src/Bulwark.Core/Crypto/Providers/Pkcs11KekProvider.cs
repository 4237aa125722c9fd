using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Bulwark.Core.Crypto.Providers;

/// <summary>
/// Key-encryption keys held in a PKCS#11 token (an HSM, a cloud KMS's PKCS#11 library, SoftHSM2 in tests). Each key
/// version is an AES-256 key generated on the token as sensitive and non-extractable, labelled with the version id;
/// data keys are wrapped with CKM_AES_GCM on the token, so the KEK never exists in Bulwark's memory.
/// </summary>
/// <remarks>
/// Wrapping uses the caller's 96-bit nonce, a 128-bit tag and the caller's associated data (NIST SP 800-38D), so an
/// envelope made here is byte-identical to one made with the same key in software and the envelope layout does not
/// depend on the provider. Purpose subkeys come from a companion CKK_GENERIC_SECRET key with the same label (also
/// non-extractable, usable only for signing): PRK = HMAC-SHA256(token key, "bulwark/pkcs11-derive/v1" || 0x00 || info)
/// on the token, then HKDF-Expand(PRK, info, length) (RFC 5869 §2.3) in process. Each info gets its own PRK, so a leaked
/// subkey tells nothing about another.
/// </remarks>
internal sealed class Pkcs11KekProvider : IKekProvider
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int KeySize = 32;
    private static readonly byte[] DerivationLabel = Encoding.ASCII.GetBytes("bulwark/pkcs11-derive/v1\0");

    private readonly Pkcs11Module _module;
    private readonly Pkcs11SessionPool _pool;
    private readonly ConcurrentDictionary<(string VersionId, CKK Type), IObjectHandle> _handles = new();
    private int _disposed;

    private Pkcs11KekProvider(Pkcs11Module module, Pkcs11SessionPool pool)
    {
        _module = module;
        _pool = pool;
        _pool.Reconnected += _handles.Clear;
    }

    public string Kind => "pkcs11";

    public bool CanCreateKeys => true;

    private static Pkcs11InteropFactories Factories => Pkcs11Module.Factories;

    /// <summary>Loads the library, finds the token, logs in and checks the token has the mechanisms this provider uses.</summary>
    /// <exception cref="SecurityConfigurationException">Any of that fails; the message says what to fix.</exception>
    public static Pkcs11KekProvider Open(Pkcs11Options options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var pin = options.ReadPin();
        Pkcs11Module? module = null;
        Pkcs11SessionPool? pool = null;
        try
        {
            module = Pkcs11Module.Acquire(options.LibraryPath);
            var slot = FindSlot(module.Library, options);
            RequireMechanisms(slot);
            pool = new Pkcs11SessionPool(slot, pin, options.MaxSessions);
            pool.Warm();
            return new Pkcs11KekProvider(module, pool);
        }
        catch (Pkcs11Exception ex)
        {
            Cleanup();
            throw new SecurityConfigurationException($"The PKCS#11 token could not be opened ({ex.RV} in {ex.Method}). Check {Pkcs11Options.Section}.", ex);
        }
        catch
        {
            Cleanup();
            throw;
        }

        void Cleanup()
        {
            if (pool is not null)
            {
                pool.Dispose();
            }
            else
            {
                CryptographicOperations.ZeroMemory(pin);
            }

            module?.Release();
        }
    }

    public bool HasKey(string versionId)
    {
        ValidateVersionId(versionId);
        return _pool.Run(session => Find(session, versionId, CKK.CKK_AES) is not null);
    }

    public void CreateKey(string versionId)
    {
        ValidateVersionId(versionId);
        _pool.Run(session =>
        {
            if (Find(session, versionId, CKK.CKK_AES) is not null || Find(session, versionId, CKK.CKK_GENERIC_SECRET) is not null)
            {
                throw new InvalidOperationException($"The token already holds a key labelled '{versionId}'.");
            }

            var kek = Generate(session, CKM.CKM_AES_KEY_GEN, CKK.CKK_AES, versionId, encrypt: true);
            try
            {
                Generate(session, CKM.CKM_GENERIC_SECRET_KEY_GEN, CKK.CKK_GENERIC_SECRET, versionId, encrypt: false);
            }
            catch
            {
                session.DestroyObject(kek);
                throw;
            }

            return 0;
        });

        SelfTest(versionId);
    }

    public void Wrap(string versionId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> dataKey, Span<byte> wrappedKey, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckSizes(nonce.Length, dataKey.Length, wrappedKey.Length, tag.Length);
        var plaintext = dataKey.ToArray();
        var nonceCopy = nonce.ToArray();
        var aad = associatedData.ToArray();
        byte[] output;
        try
        {
            output = _pool.Run(session =>
            {
                using var parameters = Factories.MechanismParamsFactory.CreateCkGcmParams(nonceCopy, NonceSize * 8, aad, TagSize * 8);
                using var mechanism = Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
                return session.Encrypt(mechanism, KeyHandle(session, versionId, CKK.CKK_AES), plaintext);
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }

        if (output.Length != dataKey.Length + TagSize)
        {
            throw new CryptographicException($"The token returned {output.Length} bytes for AES-GCM; expected {dataKey.Length + TagSize}.");
        }

        output.AsSpan(0, dataKey.Length).CopyTo(wrappedKey);
        output.AsSpan(dataKey.Length).CopyTo(tag);
    }

    public void Unwrap(string versionId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> wrappedKey, ReadOnlySpan<byte> tag, Span<byte> dataKey, ReadOnlySpan<byte> associatedData)
    {
        CheckSizes(nonce.Length, dataKey.Length, wrappedKey.Length, tag.Length);
        byte[] input = [.. wrappedKey, .. tag];
        var nonceCopy = nonce.ToArray();
        var aad = associatedData.ToArray();
        byte[] plaintext;
        try
        {
            plaintext = _pool.Run(session =>
            {
                var key = KeyHandle(session, versionId, CKK.CKK_AES);
                using var parameters = Factories.MechanismParamsFactory.CreateCkGcmParams(nonceCopy, NonceSize * 8, aad, TagSize * 8);
                using var mechanism = Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
                try
                {
                    return session.Decrypt(mechanism, key, input);
                }
                catch (Pkcs11Exception ex) when (ex.RV is CKR.CKR_ENCRYPTED_DATA_INVALID or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE or CKR.CKR_GENERAL_ERROR or CKR.CKR_FUNCTION_FAILED or CKR.CKR_MECHANISM_PARAM_INVALID)
                {
                    // SoftHSM2 and most HSMs report a failed GCM tag check as one of these.
                    throw new CryptographicException($"The data key wrapped under '{versionId}' did not authenticate ({ex.RV}).", ex);
                }
            });
        }
        catch (Pkcs11Exception ex)
        {
            throw new CryptographicException($"The token could not unwrap under '{versionId}' ({ex.RV}).", ex);
        }

        try
        {
            if (plaintext.Length != dataKey.Length)
            {
                throw new CryptographicException("The token returned a data key of the wrong length.");
            }

            plaintext.CopyTo(dataKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public byte[] DeriveKey(string versionId, ReadOnlySpan<byte> info, int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 255 * 32);
        byte[] message = [.. DerivationLabel, .. info];
        var prk = _pool.Run(session =>
        {
            using var mechanism = Factories.MechanismFactory.Create(CKM.CKM_SHA256_HMAC);
            return session.Sign(mechanism, KeyHandle(session, versionId, CKK.CKK_GENERIC_SECRET), message);
        });
        try
        {
            return HKDF.Expand(HashAlgorithmName.SHA256, prk, length, info.ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    public void DestroyKey(string versionId)
    {
        ValidateVersionId(versionId);
        _pool.Run(session =>
        {
            foreach (var type in new[] { CKK.CKK_AES, CKK.CKK_GENERIC_SECRET })
            {
                _handles.TryRemove((versionId, type), out _);
                foreach (var handle in FindAll(session, versionId, type))
                {
                    session.DestroyObject(handle);
                }
            }

            return 0;
        });
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _pool.Dispose();
        _module.Release();
    }

    /// <summary>Runs <paramref name="operation"/> on a pooled, logged-in session (tests inspect the token with it).</summary>
    internal T RunOnToken<T>(Func<ISession, T> operation) => _pool.Run(operation);

    /// <summary>The handle of the key of <paramref name="type"/> labelled <paramref name="versionId"/>, or null.</summary>
    internal static IObjectHandle? Find(ISession session, string versionId, CKK type)
    {
        var found = FindAll(session, versionId, type);
        return found.Count switch
        {
            0 => null,
            1 => found[0],
            _ => throw new CryptographicException($"The token holds {found.Count} keys labelled '{versionId}' of type {type}; remove the duplicates."),
        };
    }

    internal ISlot Slot => _pool.Slot;

    private static List<IObjectHandle> FindAll(ISession session, string versionId, CKK type) =>
        session.FindAllObjects(
        [
            Factories.ObjectAttributeFactory.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            Factories.ObjectAttributeFactory.Create(CKA.CKA_KEY_TYPE, type),
            Factories.ObjectAttributeFactory.Create(CKA.CKA_TOKEN, true),
            Factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, versionId),
        ]);

    private IObjectHandle KeyHandle(ISession session, string versionId, CKK type)
    {
        if (_handles.TryGetValue((versionId, type), out var cached))
        {
            return cached;
        }

        var handle = Find(session, versionId, type)
            ?? throw new CryptographicException($"The PKCS#11 token holds no key for version '{versionId}' (destroyed, or another token).");
        _handles[(versionId, type)] = handle;
        return handle;
    }

    private static IObjectHandle Generate(ISession session, CKM mechanismType, CKK type, string versionId, bool encrypt)
    {
        var f = Factories.ObjectAttributeFactory;
        using var mechanism = Factories.MechanismFactory.Create(mechanismType);
        return session.GenerateKey(mechanism,
        [
            f.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            f.Create(CKA.CKA_KEY_TYPE, type),
            f.Create(CKA.CKA_VALUE_LEN, (ulong)KeySize),
            f.Create(CKA.CKA_LABEL, versionId),
            f.Create(CKA.CKA_ID, Encoding.UTF8.GetBytes(versionId)),
            f.Create(CKA.CKA_TOKEN, true),
            f.Create(CKA.CKA_PRIVATE, true),
            f.Create(CKA.CKA_SENSITIVE, true),
            f.Create(CKA.CKA_EXTRACTABLE, false),
            f.Create(CKA.CKA_MODIFIABLE, false),
            f.Create(CKA.CKA_ENCRYPT, encrypt),
            f.Create(CKA.CKA_DECRYPT, encrypt),
            f.Create(CKA.CKA_SIGN, !encrypt),
            f.Create(CKA.CKA_VERIFY, false),
            f.Create(CKA.CKA_WRAP, false),
            f.Create(CKA.CKA_UNWRAP, false),
            f.Create(CKA.CKA_DERIVE, false),
        ]);
    }

    /// <summary>
    /// Some tokens (AWS CloudHSM among them) choose the GCM IV themselves and ignore the caller's. Envelopes store the
    /// caller's nonce, so such a token would make data undecryptable: a new key is wrapped and unwrapped once, and the
    /// key is removed again when that does not give the data back.
    /// </summary>
    private void SelfTest(string versionId)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        Span<byte> probe = stackalloc byte[KeySize];
        Span<byte> wrapped = stackalloc byte[KeySize];
        Span<byte> tag = stackalloc byte[TagSize];
        Span<byte> back = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(nonce);
        RandomNumberGenerator.Fill(probe);
        try
        {
            Wrap(versionId, nonce, probe, wrapped, tag, "bulwark/pkcs11-self-test"u8);
            Unwrap(versionId, nonce, wrapped, tag, back, "bulwark/pkcs11-self-test"u8);
            if (!back.SequenceEqual(probe))
            {
                throw new CryptographicException("AES-GCM round trip returned other bytes.");
            }
        }
        catch (CryptographicException ex)
        {
            DestroyKey(versionId);
            throw new SecurityConfigurationException($"The PKCS#11 token's AES-GCM does not honour a caller-chosen 96-bit nonce, which this provider needs; the new key '{versionId}' was removed.", ex);
        }
    }

    private static void FindSlotFailure(IPkcs11Library library, Pkcs11Options options)
    {
        var labels = library.GetSlotList(SlotsType.WithTokenPresent).Select(s => $"'{s.GetTokenInfo().Label.Trim()}' (slot {s.SlotId})");
        var wanted = options.TokenLabel is not null ? $"labelled '{options.TokenLabel}'" : $"in slot {options.SlotId}";
        throw new SecurityConfigurationException($"No PKCS#11 token {wanted} is present. Tokens found: {string.Join(", ", labels.DefaultIfEmpty("none"))}.");
    }

    private static ISlot FindSlot(IPkcs11Library library, Pkcs11Options options)
    {
        var slots = library.GetSlotList(SlotsType.WithTokenPresent);
        var matches = options.TokenLabel is not null
            ? slots.Where(s => s.GetTokenInfo().Label.Trim() == options.TokenLabel.Trim()).ToList()
            : slots.Where(s => s.SlotId == options.SlotId).ToList();
        if (matches.Count > 1)
        {
            throw new SecurityConfigurationException($"More than one PKCS#11 token is labelled '{options.TokenLabel}'; set {Pkcs11Options.Section}:SlotId instead.");
        }

        if (matches.Count == 0)
        {
            FindSlotFailure(library, options);
        }

        return matches[0];
    }

    private static void RequireMechanisms(ISlot slot)
    {
        var available = slot.GetMechanismList();
        var missing = new[] { CKM.CKM_AES_KEY_GEN, CKM.CKM_AES_GCM, CKM.CKM_GENERIC_SECRET_KEY_GEN, CKM.CKM_SHA256_HMAC }
            .Where(m => !available.Contains(m)).ToList();
        if (missing.Count > 0)
        {
            throw new SecurityConfigurationException($"The PKCS#11 token does not offer {string.Join(", ", missing)}, which the key provider needs.");
        }
    }

    private static void CheckSizes(int nonce, int dataKey, int wrappedKey, int tag)
    {
        if (nonce != NonceSize || tag != TagSize || dataKey != wrappedKey || dataKey == 0)
        {
            throw new ArgumentException($"AES-GCM wrapping takes a {NonceSize}-byte nonce, a {TagSize}-byte tag and output as long as the data key.");
        }
    }

    private static void ValidateVersionId(string versionId)
    {
        if (string.IsNullOrEmpty(versionId) || versionId.Length > 64 || versionId.Any(c => c is < '!' or > '~'))
        {
            throw new ArgumentException("A key version id is 1–64 printable ASCII characters.", nameof(versionId));
        }
    }
}
