using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Bulwark.Core.Crypto;

namespace Bulwark.Core.Privacy;

/// <summary>
/// Keyed pseudonyms of personal values (GDPR Art. 4(5)): HMAC-SHA256 under a key derived per project from the key
/// ring (<c>capture-pseudonym/&lt;project&gt;</c>), so the same person has the same token within a project (drift and
/// erasure can still match it) and unrelated tokens across projects, and nobody without the master key can compute or
/// reverse one by guessing.
/// </summary>
internal sealed class CapturePseudonyms(KeyRing keys)
{
    /// <summary>Prefix of a pseudonymised cell in a captured request body.</summary>
    public const string TokenPrefix = "ps_";

    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    /// <summary>Lowercase hex HMAC of <paramref name="value"/> under the project's key.</summary>
    public string Of(string projectId, string value)
    {
        var key = _keys.GetOrAdd(projectId, p => keys.DeriveKey("capture-pseudonym/" + p));
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value)));
    }

    /// <summary>The token a pseudonymised cell holds: <c>ps_</c> + <see cref="Of"/>.</summary>
    public string Token(string projectId, string value) => TokenPrefix + Of(projectId, value);
}
