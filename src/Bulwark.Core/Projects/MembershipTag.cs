using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Projects;

/// <summary>
/// Binds a membership row's columns together under a key derived from the master key, like the API-key and stage
/// tags: granting a role by inserting a row needs the master key, not just write access to the database file.
/// </summary>
internal sealed class MembershipTag(KeyRing keyRing)
{
    private readonly byte[] _key = keyRing.DeriveKey("membership-row-tag");

    public void Apply(Membership membership) => membership.IntegrityTag = Compute(membership);

    public bool Verify(Membership membership) =>
        membership.IntegrityTag.Length == 32 && CryptographicOperations.FixedTimeEquals(Compute(membership), membership.IntegrityTag);

    // Length-prefixed fields: no two distinct rows share an encoding.
    private byte[] Compute(Membership m)
    {
        using var buffer = new MemoryStream(128);
        Span<byte> length = stackalloc byte[4];
        foreach (var field in new[] { m.Id.ToString("N"), m.PrincipalId, m.ProjectId, m.Role })
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return HMACSHA256.HashData(_key, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}
