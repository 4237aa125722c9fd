using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Bulwark.Core.Crypto.Providers;

namespace Bulwark.Core.Tests.Crypto.Providers;

/// <summary>
/// A fresh SoftHSM2 token in a temp directory for the PKCS#11 tests: its own softhsm2.conf (SOFTHSM2_CONF) and token
/// dir, initialised with <c>softhsm2-util --init-token</c>. When SoftHSM2 is not installed the fixture fails, so every
/// PKCS#11 test fails with the reason instead of being skipped.
/// </summary>
public sealed class SoftHsmToken : IDisposable
{
    public const string Label = "bulwark-test";
    public const string UserPin = "4613-2789-0551";
    private const string SoPin = "so-0193-8842";
    private static readonly string[] LibraryCandidates = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"];

    private readonly string _dir;

    public SoftHsmToken()
    {
        LibraryPath = LibraryCandidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("SoftHSM2 is not installed (no libsofthsm2.so): run scripts/test.sh, which installs Debian's softhsm2 package, or apt-get install softhsm2.");
        _dir = Directory.CreateTempSubdirectory("bulwark-softhsm-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "tokens"));
        var conf = Path.Combine(_dir, "softhsm2.conf");
        File.WriteAllText(conf, $"directories.tokendir = {Path.Combine(_dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");

        // SoftHSM2 reads SOFTHSM2_CONF with getenv() at C_Initialize: the native environment must have it, and
        // Environment.SetEnvironmentVariable only changes .NET's copy on Unix.
        if (NativeMethods.setenv(Encoding.UTF8.GetBytes("SOFTHSM2_CONF\0"), Encoding.UTF8.GetBytes(conf + "\0"), 1) != 0)
        {
            throw new InvalidOperationException("setenv(SOFTHSM2_CONF) failed");
        }

        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", conf);
        RunUtil(conf, "--init-token", "--free", "--label", Label, "--so-pin", SoPin, "--pin", UserPin);

        PinFile = Path.Combine(_dir, "user.pin");
        File.WriteAllText(PinFile, UserPin + "\n");
        File.SetUnixFileMode(PinFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public string LibraryPath { get; }

    public string PinFile { get; }

    public Pkcs11Options Options() => new() { LibraryPath = LibraryPath, TokenLabel = Label, PinFile = PinFile };

    internal Pkcs11KekProvider Open() => Pkcs11KekProvider.Open(Options());

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void RunUtil(string conf, params string[] args)
    {
        var info = new ProcessStartInfo("softhsm2-util") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SOFTHSM2_CONF"] = conf;
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("softhsm2-util is not installed: run scripts/test.sh, which installs Debian's softhsm2 package, or apt-get install softhsm2.", ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"softhsm2-util {string.Join(' ', args.Take(3))} failed: {output}");
            }
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int setenv(byte[] name, byte[] value, int overwrite);
    }
}

[CollectionDefinition(Name)]
public sealed class SoftHsmCollection : ICollectionFixture<SoftHsmToken>
{
    public const string Name = "SoftHSM2 token";
}
