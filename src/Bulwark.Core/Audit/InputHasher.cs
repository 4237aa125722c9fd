using System.Security.Cryptography;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Audit;

/// <summary>
/// Keyed HMAC of a prediction's input for the audit trail: equal inputs can be correlated by someone holding the
/// master key, but the ledger alone reveals nothing about the features (no dictionary attack on small domains).
/// </summary>
internal sealed class InputHasher(KeyRing keyRing)
{
    private readonly byte[] _key = keyRing.DeriveKey("audit-input-hmac");

    public string Hash(ReadOnlySpan<byte> canonicalInput) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, canonicalInput));
}
