using System.Security.Cryptography;

namespace Bulwark.Core.Crypto.Providers;

/// <summary>KEKs held in process memory (file and environment providers): AES-256-GCM wrapping, HKDF-SHA256 derivation.</summary>
internal abstract class SoftwareKekProvider : IKekProvider
{
    private const int TagSize = 16;
    private volatile Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public abstract string Kind { get; }

    public abstract bool CanCreateKeys { get; }

    public bool HasKey(string versionId) => _keys.ContainsKey(versionId);

    public abstract void CreateKey(string versionId);

    public abstract void DestroyKey(string versionId);

    public void Wrap(string versionId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> dataKey, Span<byte> wrappedKey, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        using var kek = new AesGcm(Material(versionId), TagSize);
        kek.Encrypt(nonce, dataKey, wrappedKey, tag, associatedData);
    }

    public void Unwrap(string versionId, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> wrappedKey, ReadOnlySpan<byte> tag, Span<byte> dataKey, ReadOnlySpan<byte> associatedData)
    {
        using var kek = new AesGcm(Material(versionId), TagSize);
        kek.Decrypt(nonce, wrappedKey, tag, dataKey, associatedData);
    }

    // RFC 5869 with an empty salt: the same bytes the key ring has always derived from a file key.
    public byte[] DeriveKey(string versionId, ReadOnlySpan<byte> info, int length) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Material(versionId), length, salt: [], info: info.ToArray());

    public void Dispose()
    {
        // Zeroed in place: anything still holding the ring opens nothing afterwards (authentication fails).
        foreach (var key in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }

        GC.SuppressFinalize(this);
    }

    protected void AddMaterial(string versionId, byte[] material) =>
        _keys = new Dictionary<string, byte[]>(_keys, StringComparer.Ordinal) { [versionId] = material };

    protected void RemoveMaterial(string versionId)
    {
        var keys = new Dictionary<string, byte[]>(_keys, StringComparer.Ordinal);
        if (keys.Remove(versionId, out var material))
        {
            _keys = keys;
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private byte[] Material(string versionId) =>
        _keys.TryGetValue(versionId, out var key) ? key : throw new KeyVersionUnavailableException(versionId, KeyVersionUnavailableException.Unknown);
}
