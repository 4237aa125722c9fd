namespace Bulwark.Core.Crypto;

/// <summary>
/// The states of a key version, as Google Tink keysets and HashiCorp Vault transit name them: an enabled version wraps
/// (if primary) and unwraps; a disabled one keeps its material but opens nothing until enabled again; a destroyed one has
/// no material left, so what it wrapped is unreadable for good.
/// </summary>
internal static class KeyVersionStates
{
    public const string Enabled = "enabled";
    public const string Disabled = "disabled";
    public const string Destroyed = "destroyed";

    public static bool IsKnown(string state) => state is Enabled or Disabled or Destroyed;
}
