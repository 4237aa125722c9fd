using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Bulwark.Core.Identity.Tokens;

/// <summary>
/// An immutable snapshot of our own signing keys at one instant: the active key (newest key not retired) signs new
/// tokens; every key not retired, or retired less than the overlap window ago, is published in the JWKS and trusted for
/// verification. Build a new snapshot after a rotation instead of mutating this one.
/// </summary>
internal sealed class SigningKeySet
{
    private readonly Dictionary<string, ECDsaSecurityKey> _verificationKeys;
    private readonly Dictionary<string, ECParameters> _publicParameters;

    /// <param name="overlap">How long a retired key stays trusted: at least the token lifetime plus clock skew.</param>
    public SigningKeySet(IEnumerable<SigningKeyMaterial> keys, TimeSpan overlap, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(overlap, TimeSpan.Zero);
        var now = time.GetUtcNow();
        _verificationKeys = new Dictionary<string, ECDsaSecurityKey>(StringComparer.Ordinal);
        _publicParameters = new Dictionary<string, ECParameters>(StringComparer.Ordinal);

        foreach (var material in keys.OrderByDescending(k => k.CreatedAt))
        {
            var retired = material.RetiredAt is { } at && at <= now;
            if (retired && material.RetiredAt!.Value + overlap <= now)
                continue;
            if (_verificationKeys.ContainsKey(material.KeyId))
                throw new InvalidOperationException($"Duplicate signing key id '{material.KeyId}'.");

            var publicParameters = LoadPublicParameters(material);
            _publicParameters[material.KeyId] = publicParameters;
            _verificationKeys[material.KeyId] = new ECDsaSecurityKey(ECDsa.Create(publicParameters)) { KeyId = material.KeyId };

            if (!retired && Active is null)
            {
                var signer = ECDsa.Create();
                signer.ImportPkcs8PrivateKey(material.Pkcs8PrivateKey, out _);
                Active = material;
                ActiveCredentials = new SigningCredentials(
                    new ECDsaSecurityKey(signer) { KeyId = material.KeyId }, SecurityAlgorithms.EcdsaSha256);
            }
        }
    }

    /// <summary>The key that signs new tokens, or null when every key is retired (issuing then fails loudly).</summary>
    public SigningKeyMaterial? Active { get; }

    internal SigningCredentials? ActiveCredentials { get; }

    /// <summary>Ids of the keys published and trusted for verification.</summary>
    public IReadOnlyCollection<string> KeyIds => _verificationKeys.Keys;

    /// <summary>
    /// Looks a key up by exact id in memory only. RFC 8725 §3.10: a <c>kid</c> is attacker-controlled input and is
    /// never used as a path, query or URL, so "../../etc/passwd" or "' OR 1=1" simply is not found.
    /// </summary>
    public bool TryGetVerificationKey(string kid, [MaybeNullWhen(false)] out SecurityKey key)
    {
        if (_verificationKeys.TryGetValue(kid, out var found))
        {
            key = found;
            return true;
        }

        key = null;
        return false;
    }

    /// <summary>The RFC 7517 JWK Set of the trusted keys: public members only (no <c>d</c>).</summary>
    public string JwksJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var (kid, parameters) in _publicParameters)
            {
                writer.WriteStartObject();
                writer.WriteString("kty", "EC");
                writer.WriteString("crv", "P-256");
                writer.WriteString("x", Base64Url.EncodeToString(parameters.Q.X));
                writer.WriteString("y", Base64Url.EncodeToString(parameters.Q.Y));
                writer.WriteString("kid", kid);
                writer.WriteString("use", "sig");
                writer.WriteString("alg", SecurityAlgorithms.EcdsaSha256);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static ECParameters LoadPublicParameters(SigningKeyMaterial material)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(material.Pkcs8PrivateKey, out _);
        if (ecdsa.KeySize != 256)
            throw new InvalidOperationException($"Signing key '{material.KeyId}' is not a P-256 key.");
        var parameters = ecdsa.ExportParameters(false);
        // A stored id that does not match the key means the row was edited or mixed up: refuse to publish it.
        if (!string.Equals(SigningKeyMaterial.KeyIdOf(parameters), material.KeyId, StringComparison.Ordinal))
            throw new InvalidOperationException($"Signing key id '{material.KeyId}' does not match its key.");
        return parameters;
    }
}
