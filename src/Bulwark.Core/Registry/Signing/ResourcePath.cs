namespace Bulwark.Core.Registry;

/// <summary>
/// Resource names of an OMS statement are POSIX paths relative to the model folder. A signed name is still attacker
/// input to whoever verifies a folder someone else produced, so only plain relative paths are accepted: no absolute
/// path, no "." or ".." segment, no empty segment, no backslash, no drive or stream colon, no control character.
/// </summary>
internal static class ResourcePath
{
    private const int MaxLength = 1024;
    private const int MaxDepth = 32;

    public static bool IsSafe(string name)
    {
        if (name.Length is 0 or > MaxLength || name[0] == '/' || name.Any(c => char.IsControl(c) || c is '\\' or ':'))
        {
            return false;
        }

        var segments = name.Split('/');
        return segments.Length <= MaxDepth && segments.All(s => s.Length > 0 && s != "." && s != "..");
    }
}
