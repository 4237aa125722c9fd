namespace Bulwark.Core.Crypto.Providers;

/// <summary>
/// KEKs given in an environment variable (for platforms that inject secrets that way): read-only, so rotation is done by
/// adding a key to the variable and restarting, never by Bulwark. The ring's metadata lives in the sidecar ring file.
/// </summary>
/// <remarks>
/// Format: <c>id:base64[,id:base64…]</c>, oldest first, e.g. <c>k1:q83v…=,k2:7Hn0…=</c>. Ids are 1–64 ASCII letters or
/// digits; every key is exactly 32 bytes (256 bits) of base64. The first key is the derivation root of purpose subkeys
/// and must stay first; a key the ring has not seen before becomes the primary when it is listed last.
/// </remarks>
internal sealed class EnvironmentKekProvider : SoftwareKekProvider
{
    public const string DefaultVariable = "BULWARK_MASTER_KEYS";

    private EnvironmentKekProvider(string variable, IReadOnlyList<string> keyIds)
    {
        Variable = variable;
        KeyIds = keyIds;
    }

    public string Variable { get; }

    /// <summary>The ids in the variable, in the order given.</summary>
    public IReadOnlyList<string> KeyIds { get; }

    public override string Kind => "env";

    public override bool CanCreateKeys => false;

    /// <exception cref="SecurityConfigurationException">The variable is missing, malformed, or holds a key that is not 256 bits.</exception>
    public static EnvironmentKekProvider FromVariable(string variable, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new SecurityConfigurationException($"Bulwark:Keys:Provider is 'env' but the environment variable {variable} is empty or missing. Set it to id:base64-of-32-bytes[,id:base64…].");
        }

        var ids = new List<string>();
        var materials = new List<byte[]>();
        foreach (var item in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = item.IndexOf(':', StringComparison.Ordinal);
            var id = colon > 0 ? item[..colon] : "";
            if (id.Length is 0 or > 64 || !id.All(char.IsAsciiLetterOrDigit) || ids.Contains(id, StringComparer.Ordinal))
            {
                throw new SecurityConfigurationException($"{variable}: every entry must be id:base64 with a unique id of 1–64 letters or digits (entry {ids.Count + 1} is not).");
            }

            byte[] material;
            try
            {
                material = Convert.FromBase64String(item[(colon + 1)..]);
            }
            catch (FormatException)
            {
                throw new SecurityConfigurationException($"{variable}: key '{id}' is not valid base64.");
            }

            if (material.Length != 32)
            {
                throw new SecurityConfigurationException($"{variable}: key '{id}' is {material.Length * 8} bits; exactly 256 bits (32 bytes) are required.");
            }

            ids.Add(id);
            materials.Add(material);
        }

        if (ids.Count == 0)
        {
            throw new SecurityConfigurationException($"{variable} holds no keys. Set it to id:base64-of-32-bytes[,id:base64…].");
        }

        var provider = new EnvironmentKekProvider(variable, ids);
        for (var i = 0; i < ids.Count; i++)
        {
            provider.AddMaterial(ids[i], materials[i]);
        }

        return provider;
    }

    public override void CreateKey(string versionId) =>
        throw new InvalidOperationException($"Keys from the environment variable {Variable} are managed outside Bulwark: add a key to the variable and restart to rotate.");

    /// <summary>Forgets the key in this process; the variable itself is outside Bulwark and must be edited by the operator.</summary>
    public override void DestroyKey(string versionId) => RemoveMaterial(versionId);
}
