using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Crypto;

/// <summary>
/// The versioned master keys (KEKs) in memory. Every wrapped data key names the KEK version that wrapped it,
/// so decryption never tries keys one after another and rotation only has to add a version.
/// </summary>
internal sealed class KeyRing : IDisposable
{
    private readonly Dictionary<string, byte[]> _keys;

    public KeyRing(MasterKeyFile file)
    {
        _keys = file.Keys.ToDictionary(k => k.Id, k => Convert.FromBase64String(k.Material), StringComparer.Ordinal);
        PrimaryKeyId = file.Primary;
    }

    public string PrimaryKeyId { get; }

    public byte[] GetKey(string keyId) =>
        _keys.TryGetValue(keyId, out var key) ? key : throw new CryptographicException($"Unknown master key version '{keyId}'.");

    /// <summary>
    /// Derives a purpose-bound subkey from the primary KEK (HKDF-SHA256, RFC 5869), so the same master key
    /// never serves two purposes (e.g. audit input HMACs, API-key peppers).
    /// </summary>
    public byte[] DeriveKey(string purpose, int length = 32) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, GetKey(PrimaryKeyId), length, salt: [], info: Encoding.UTF8.GetBytes("bulwark/" + purpose));

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
