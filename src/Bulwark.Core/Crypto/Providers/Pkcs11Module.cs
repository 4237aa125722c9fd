using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Bulwark.Core.Crypto.Providers;

/// <summary>
/// One loaded PKCS#11 library per path and process, shared by reference count. <c>C_Initialize</c> and <c>C_Finalize</c>
/// act on the whole process (PKCS#11 v2.40 §5.4), so a second provider on the same library must not initialise it again,
/// and closing one provider must not finalise the library under another.
/// </summary>
internal sealed class Pkcs11Module
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Pkcs11Module> Loaded = new(StringComparer.Ordinal);

    private static bool _resolverSet;

    private readonly string _path;
    private int _references;

    private Pkcs11Module(string path, IPkcs11Library library)
    {
        _path = path;
        Library = library;
    }

    public static Pkcs11InteropFactories Factories { get; } = new();

    public IPkcs11Library Library { get; }

    public static Pkcs11Module Acquire(string libraryPath)
    {
        lock (Gate)
        {
            ResolveLibdl();
            if (!Loaded.TryGetValue(libraryPath, out var module))
            {
                IPkcs11Library library;
                try
                {
                    // OS locking: sessions are used from many threads (one thread per session at a time).
                    library = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, libraryPath, AppType.MultiThreaded);
                }
                catch (Exception ex) when (ex is Pkcs11Exception or UnmanagedException or DllNotFoundException or BadImageFormatException or EntryPointNotFoundException or IOException)
                {
                    throw new SecurityConfigurationException($"The PKCS#11 library '{libraryPath}' could not be loaded and initialised ({ex.Message}). Check {Pkcs11Options.Section}:LibraryPath points at the vendor's PKCS#11 module and that its own configuration (e.g. SOFTHSM2_CONF) is in place.", ex);
                }

                module = new Pkcs11Module(libraryPath, library);
                Loaded[libraryPath] = module;
            }

            module._references++;
            return module;
        }
    }

    /// <summary>
    /// Pkcs11Interop imports dlopen from "libdl", a name only the libc6-dev symlink provides; glibc 2.34+ keeps dlopen in
    /// libc and ships libdl.so.2 for compatibility. The mapping is the workaround its maintainer recommends
    /// (Pkcs11Interop issue #239), so no development package is needed on servers.
    /// </summary>
    private static void ResolveLibdl()
    {
        if (_resolverSet || OperatingSystem.IsWindows())
        {
            return;
        }

        _resolverSet = true;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(IPkcs11Library).Assembly, static (name, assembly, path) =>
                name == "libdl" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libdl.so.2", assembly, path, out var handle) ? handle : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // The host already set a resolver for Pkcs11Interop: leave it in charge.
        }
    }

    public void Release()
    {
        lock (Gate)
        {
            if (--_references > 0)
            {
                return;
            }

            Loaded.Remove(_path);
            Library.Dispose();
        }
    }
}
