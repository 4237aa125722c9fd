namespace Bulwark.Core.Registry;

/// <summary>
/// Artifact file names in a manifest are plain names ("model.onnx"), never paths: a signed manifest must not be able to
/// name a file outside its version's folder (zip-slip style "../", absolute paths, drive letters, NUL tricks).
/// </summary>
internal static class ManifestFileName
{
    public static bool IsPlain(string name) =>
        name.Length is > 0 and <= 128
        && name[0] != '.'
        && !name.Contains("..", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
