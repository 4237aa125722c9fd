using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;
using Microsoft.Extensions.Compliance.Redaction;

namespace Bulwark.Core.Compliance.Redaction;

/// <summary>Replaces any value, whatever its length, with a fixed marker: the length of a secret is information too.</summary>
internal abstract class MarkerRedactor(string marker) : Redactor
{
    public override int GetRedactedLength(ReadOnlySpan<char> input) => marker.Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        marker.AsSpan().CopyTo(destination);
        return marker.Length;
    }
}

/// <summary><see cref="LogClassifications.Secret"/> → <c>[secret]</c>.</summary>
internal sealed class SecretRedactor() : MarkerRedactor("[secret]");

/// <summary><see cref="LogClassifications.Card"/> → <c>[pan]</c>.</summary>
internal sealed class CardRedactor() : MarkerRedactor("[pan]");

/// <summary>Anything classified with a class this instance has no redactor for → <c>[redacted]</c> (fail closed).</summary>
internal sealed class FallbackRedactor() : MarkerRedactor("[redacted]");

/// <summary>
/// Personal and health data → <c>p:</c> plus 16 hex digits of HMAC-SHA256 under a key derived from the master key ring
/// (purpose <c>log-pseudonym</c>). The same value gives the same pseudonym on every line and replica of this instance, so
/// an operator can still follow one address or one login through the logs; without the ring nobody can test a guess
/// against it (an unkeyed hash of an IPv4 address or a login is reversed by enumeration in seconds). 64 bits keep
/// accidental collisions out of any realistic log volume.
/// </summary>
internal sealed class PseudonymRedactor(KeyRing keyRing) : Redactor
{
    private const string Prefix = "p:";
    private const int HexDigits = 16;
    private readonly byte[] _key = keyRing.DeriveKey("log-pseudonym");

    public override int GetRedactedLength(ReadOnlySpan<char> input) => Prefix.Length + HexDigits;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        var byteCount = Encoding.UTF8.GetByteCount(source);
        Span<byte> utf8 = byteCount <= 512 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(source, utf8);

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, utf8, mac);
        Prefix.AsSpan().CopyTo(destination);
        Convert.TryToHexStringLower(mac[..(HexDigits / 2)], destination[Prefix.Length..], out _);
        return Prefix.Length + HexDigits;
    }
}
