using Bulwark.Core.Crypto;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Registry;

/// <summary>One external key whose model signatures the registry accepts on import.</summary>
/// <param name="KeyId">Bulwark key id (hex SHA-256 of the DER SubjectPublicKeyInfo), recorded in the signed manifest.</param>
internal sealed record TrustedSigner(string KeyId, byte[] SubjectPublicKeyInfo);

/// <summary>
/// The allow-list of external model signers, from <see cref="RegistryOptions.TrustedSigners"/>. Loaded once: the
/// options validator has already refused startup on any entry that does not load, so a failure here is unexpected.
/// </summary>
internal sealed class TrustedSigners
{
    private readonly IReadOnlyList<TrustedSigner> _signers;

    public TrustedSigners(IOptions<RegistryOptions> options)
    {
        var signers = new List<TrustedSigner>();
        foreach (var (entry, index) in options.Value.TrustedSigners.Select((e, i) => (e, i)))
        {
            signers.Add(TryLoad(entry, out var signer, out var error)
                ? signer
                : throw new SecurityConfigurationException($"{RegistryOptions.Section}:TrustedSigners:{index}: {error}."));
        }

        _signers = [.. signers.DistinctBy(s => s.KeyId)];
    }

    public IReadOnlyList<TrustedSigner> All => _signers;

    /// <summary>The trusted key a bundle's hint names, if any.</summary>
    public TrustedSigner? Find(OmsBundle bundle) => _signers.FirstOrDefault(s => bundle.Names(s.SubjectPublicKeyInfo));

    /// <summary>Loads one entry: PEM text when it contains a PEM header, otherwise a path to a PEM file.</summary>
    public static bool TryLoad(string entry, out TrustedSigner signer, out string error)
    {
        signer = default!;
        var pem = entry;
        if (!entry.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            try
            {
                var file = new FileInfo(entry.Trim());
                if (!file.Exists || file.Length > 64 * 1024)
                {
                    error = $"trusted signer key file '{entry.Trim()}' does not exist or is not a PEM public key";
                    return false;
                }

                pem = File.ReadAllText(file.FullName);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                error = $"trusted signer key file '{entry.Trim()}' cannot be read ({ex.GetType().Name})";
                return false;
            }
        }

        if (!SignerKey.TryRead(pem, out var spki, out var keyError))
        {
            error = $"not a usable trusted signer key: {keyError}";
            return false;
        }

        signer = new TrustedSigner(EcdsaP256.KeyIdOf(spki), spki);
        error = "";
        return true;
    }
}
