using System.Security.Cryptography;

namespace Bulwark.Core.Crypto;

/// <summary>
/// An envelope names a key version that may not be used to decrypt: disabled, destroyed, older than the ring's minimum
/// decryption version, or unknown. Not tampering: the data is intact but the ring refuses to open it by policy (or, once
/// destroyed, can no longer open it).
/// </summary>
public sealed class KeyVersionUnavailableException : CryptographicException
{
    public KeyVersionUnavailableException(string versionId, string reason)
        : base(MessageFor(versionId, reason))
    {
        VersionId = versionId;
        Reason = reason;
    }

    public KeyVersionUnavailableException()
    {
    }

    public KeyVersionUnavailableException(string message) : base(message)
    {
    }

    public KeyVersionUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Reasons, stable for callers and HTTP mapping.</summary>
    public const string Disabled = "disabled";
    public const string Destroyed = "destroyed";
    public const string BelowMinimum = "below-minimum";
    public const string Unknown = "unknown";

    public string VersionId { get; } = "";

    /// <summary><see cref="Disabled"/>, <see cref="Destroyed"/>, <see cref="BelowMinimum"/> or <see cref="Unknown"/>.</summary>
    public string Reason { get; } = Unknown;

    /// <summary>The stable problem code: <c>crypto.key-disabled</c>, <c>crypto.key-destroyed</c>, <c>crypto.key-below-minimum</c> or <c>crypto.key-unknown</c>.</summary>
    public string Code => "crypto.key-" + Reason;

    /// <summary>503: the data is intact, but the key ring will not open it until an operator acts (enable, restore).</summary>
    internal Failure ToFailure() => new(Code, 503, Message, new Dictionary<string, object?> { ["keyVersion"] = VersionId, ["keyState"] = Reason });

    private static string MessageFor(string versionId, string reason) => reason switch
    {
        Disabled => $"Master key version '{versionId}' is disabled: data under it cannot be decrypted until the version is enabled again (bulwark keys enable {versionId}).",
        Destroyed => $"Master key version '{versionId}' is destroyed: data under it can no longer be decrypted.",
        BelowMinimum => $"Master key version '{versionId}' is older than the key ring's minimum decryption version: data under it is refused.",
        _ => $"Master key version '{versionId}' is not in the key ring.",
    };
}
