using System.Security.Cryptography;

namespace Bulwark.Core.Crypto;

/// <summary>Owner-only (0600) files written whole: key material and key-ring metadata.</summary>
internal static class PrivateFile
{
    /// <summary>Creates <paramref name="path"/> with mode 0600 from the first byte; fails if it exists.</summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Replaces <paramref name="path"/> atomically: a new 0600 temp file beside it, fsync, then rename over.</summary>
    public static void Replace(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + ".tmp";
        try
        {
            WriteNew(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Refuses a file that group or others can read, write or execute (fail closed; the message says how to fix it).</summary>
    public static void EnsureOwnerOnly(string path, string what)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode tooWide = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & tooWide) != 0)
        {
            throw new SecurityConfigurationException($"{what} '{path}' is accessible by group or others (mode {Convert.ToString((int)mode, 8)}). Fix it with: chmod 600 '{path}'.");
        }
    }
}
