using System.Security.Cryptography;

namespace Bulwark.Core.Identity;

/// <summary>
/// A user row's sealed personal fields fail their integrity check: written or edited outside Bulwark (a value copied
/// from another row, a plaintext value, altered bytes). Bulwark refuses the row rather than show a wrong login or name.
/// </summary>
public sealed class PersonalFieldIntegrityException : CryptographicException
{
    /// <summary>The stable problem code.</summary>
    public const string Code = "user.integrity-failed";

    public PersonalFieldIntegrityException()
    {
    }

    public PersonalFieldIntegrityException(string message) : base(message)
    {
    }

    public PersonalFieldIntegrityException(string message, Exception inner) : base(message, inner)
    {
    }

    internal PersonalFieldIntegrityException(Guid userId, string reason, Exception? inner = null)
        : base($"The stored account user:{userId:D} fails its integrity check ({reason}): the row was changed outside Bulwark. Restore the row from a backup.", inner)
    {
        UserId = userId;
    }

    public Guid UserId { get; }
}
