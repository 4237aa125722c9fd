using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Core.Crypto;

/// <summary>
/// The versioned master keys (KEKs) in memory. Every wrapped data key names the KEK version that wrapped it, so
/// decryption never tries keys one after another, and rotation only has to add a version: new data is wrapped under the
/// new primary, everything older stays readable under the version it names.
/// </summary>
/// <remarks>
/// Purpose subkeys (<see cref="DeriveKey"/>) come from the derivation root — the file's first key — not from the primary,
/// because they tag and pepper rows that live on (API keys, stage tags, memberships): rotating the primary must not change
/// them. Rewrapping and retiring old versions belong to the key-ring lifecycle and are not done here.
/// </remarks>
internal sealed class KeyRing : IDisposable
{
    private readonly object _gate = new();
    private readonly string? _path;
    private readonly string _derivationRootId;
    private volatile Dictionary<string, byte[]> _keys;
    private volatile string _primary;

    public KeyRing(MasterKeyFile file, string? path = null)
    {
        _keys = file.Keys.ToDictionary(k => k.Id, k => Convert.FromBase64String(k.Material), StringComparer.Ordinal);
        _primary = file.Primary;
        _derivationRootId = file.Keys[0].Id;
        _path = path;
    }

    public string PrimaryKeyId => _primary;

    /// <summary>Every key version, oldest first as in the file.</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    public byte[] GetKey(string keyId) =>
        _keys.TryGetValue(keyId, out var key) ? key : throw new CryptographicException($"Unknown master key version '{keyId}'.");

    /// <summary>
    /// Derives a purpose-bound subkey from the derivation root (HKDF-SHA256, RFC 5869), so the same master key never
    /// serves two purposes (e.g. audit input HMACs, API-key peppers).
    /// </summary>
    public byte[] DeriveKey(string purpose, int length = 32) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, GetKey(_derivationRootId), length, salt: [], info: Encoding.UTF8.GetBytes("bulwark/" + purpose));

    /// <summary>
    /// Adds a new 256-bit key version and makes it the primary: the key file is rewritten first (mode 0600, replaced
    /// atomically), then the ring in memory, so a crash between the two loses nothing.
    /// </summary>
    public string Rotate(TimeProvider time)
    {
        if (_path is null)
        {
            throw new InvalidOperationException("This key ring was not loaded from a key file and cannot be rotated.");
        }

        lock (_gate)
        {
            var file = MasterKeyFile.Load(_path);
            string id;
            do
            {
                id = "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            }
            while (file.Keys.Any(k => k.Id == id));

            var material = RandomNumberGenerator.GetBytes(32);
            file.Keys.Add(new MasterKeyEntry { Id = id, CreatedAt = time.GetUtcNow(), Material = Convert.ToBase64String(material) });
            file.Primary = id;
            var temporary = _path + ".rotating";
            File.Delete(temporary);
            file.WriteTo(temporary);
            File.Move(temporary, _path, overwrite: true);

            _keys = new Dictionary<string, byte[]>(_keys, StringComparer.Ordinal) { [id] = material };
            _primary = id;
            return id;
        }
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
