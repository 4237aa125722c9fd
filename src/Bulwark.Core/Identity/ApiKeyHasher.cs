using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Identity;

/// <summary>
/// The keyed hashes behind API keys, derived once from the master key: the secret's pepper, and the integrity tag
/// that binds a key row's security-relevant columns together so they cannot be edited in the database alone.
/// </summary>
internal sealed class ApiKeyHasher(KeyRing keyRing)
{
    private readonly byte[] _pepper = keyRing.DeriveKey("api-key-pepper");
    private readonly byte[] _tagKey = keyRing.DeriveKey("api-key-row-tag");

    public byte[] HashSecret(string secret) => HMACSHA256.HashData(_pepper, Encoding.ASCII.GetBytes(secret));

    /// <summary>HMAC-SHA256 over length-prefixed id, prefix, secret hash, scopes, expiry, revocation time and project.</summary>
    public byte[] ComputeTag(ApiKey key)
    {
        using var buffer = new MemoryStream(256);
        Write(buffer, key.Id.ToString("N"));
        Write(buffer, key.Prefix);
        Write(buffer, Convert.ToHexStringLower(key.SecretHash));
        Write(buffer, key.Scopes);
        Write(buffer, key.ExpiresAt?.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        Write(buffer, key.RevokedAt?.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");

        // The project binds too (moving a key to another tenant in the database must fail). It is left out for the
        // default project so that keys issued before projects existed, all migrated there, keep their tags.
        if (key.ProjectId != Projects.ProjectIds.Default)
        {
            Write(buffer, key.ProjectId);
        }

        return HMACSHA256.HashData(_tagKey, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    public bool VerifyTag(ApiKey key) =>
        key.IntegrityTag.Length == 32 && CryptographicOperations.FixedTimeEquals(ComputeTag(key), key.IntegrityTag);

    private static void Write(MemoryStream buffer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}
