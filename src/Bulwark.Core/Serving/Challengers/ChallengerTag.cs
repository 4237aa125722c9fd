using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Serving;

/// <summary>
/// Binds a challenger configuration to its content under a master-key-derived key, like <see cref="Registry.ModelStageTag"/>
/// binds a stage: whoever can write the database but not the key cannot route traffic to a version of their choosing.
/// HMAC-SHA256 (RFC 2104) over a length-prefixed encoding of every field.
/// </summary>
internal sealed class ChallengerTag(KeyRing keyRing) : IDisposable
{
    private static readonly byte[] Context = Encoding.UTF8.GetBytes("bulwark/model-challenger-tag/v1");

    private readonly byte[] _key = keyRing.DeriveKey("model-challenger-tag");

    public void Apply(ModelChallenger c) => c.Tag = HMACSHA256.HashData(_key, Encode(c));

    /// <summary>True when the stored tag is this row's (constant-time compare).</summary>
    public bool Verify(ModelChallenger c) =>
        c.Tag is { Length: HMACSHA256.HashSizeInBytes } stored && CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, Encode(c)), stored);

    internal static byte[] Encode(ModelChallenger c)
    {
        using var buffer = new MemoryStream();
        buffer.Write(Context);
        Field(buffer, Encoding.UTF8.GetBytes(c.ProjectId));
        Field(buffer, Encoding.UTF8.GetBytes(c.ModelName));
        Field(buffer, c.VersionId.ToByteArray(bigEndian: true));
        Field(buffer, Int64(c.Version));
        Field(buffer, Encoding.UTF8.GetBytes(c.ManifestDigest));
        Field(buffer, Encoding.UTF8.GetBytes(c.Mode));
        Field(buffer, Int64(BitConverter.DoubleToInt64Bits(c.Share)));
        Field(buffer, Encoding.UTF8.GetBytes(c.SetBy));
        Field(buffer, Int64(c.SetAt.UtcTicks));
        return buffer.ToArray();
    }

    private static byte[] Int64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    private static void Field(MemoryStream buffer, byte[] field)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, field.Length);
        buffer.Write(length);
        buffer.Write(field);
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
