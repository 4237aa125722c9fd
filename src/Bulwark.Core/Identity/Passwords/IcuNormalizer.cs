using System.Globalization;
using System.Runtime.InteropServices;

namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// NFKC through the operating system's ICU library, loaded directly. The build sets
/// <c>InvariantGlobalization</c>, and in that mode <see cref="string.Normalize(System.Text.NormalizationForm)"/>
/// returns non-ASCII text unchanged, which would silently break NIST SP 800-63B §3.1.1.2
/// (two spellings of one password would hash differently). ICU exports versioned symbols
/// (<c>unorm2_normalize_72</c>), so the version is probed the same way the runtime does.
/// </summary>
internal static class IcuNormalizer
{
    // UErrorCode: U_ZERO_ERROR = 0, failures are > 0; U_BUFFER_OVERFLOW_ERROR = 15.
    private const int BufferOverflow = 15;

    private static readonly Lazy<Api?> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GetInstance(ref int errorCode);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl, CharSet = CharSet.Unicode)]
    private delegate int Normalize(IntPtr normalizer, char[] source, int length, [Out] char[] destination, int capacity, ref int errorCode);

    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>Returns the NFKC form, or <c>null</c> when ICU is not present.</summary>
    public static string? TryNormalizeKc(string text)
    {
        var api = Loaded.Value;
        if (api is null)
        {
            return null;
        }

        var source = text.ToCharArray();
        // NFKC can expand a code unit up to 18 times (U+FDFA); start at 2x and grow once on overflow.
        var capacity = Math.Max(16, source.Length * 2);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var destination = new char[capacity];
            var error = 0;
            var written = api.Normalize(api.Instance, source, source.Length, destination, destination.Length, ref error);
            if (error <= 0)
            {
                return new string(destination, 0, written);
            }

            if (error != BufferOverflow)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"ICU normalisation failed with error {error}."));
            }

            capacity = written;
        }

        throw new InvalidOperationException("ICU normalisation did not converge.");
    }

    private static Api? Load()
    {
        foreach (var (library, suffix) in Candidates())
        {
            if (!NativeLibrary.TryLoad(library, out var handle))
            {
                continue;
            }

            if (NativeLibrary.TryGetExport(handle, "unorm2_getNFKCInstance" + suffix, out var getInstance)
                && NativeLibrary.TryGetExport(handle, "unorm2_normalize" + suffix, out var normalize))
            {
                var error = 0;
                var instance = Marshal.GetDelegateForFunctionPointer<GetInstance>(getInstance)(ref error);
                if (error <= 0 && instance != IntPtr.Zero)
                {
                    return new Api(instance, Marshal.GetDelegateForFunctionPointer<Normalize>(normalize));
                }
            }

            NativeLibrary.Free(handle);
        }

        return null;
    }

    private static IEnumerable<(string Library, string Suffix)> Candidates()
    {
        if (OperatingSystem.IsWindows())
        {
            yield return ("icuuc.dll", string.Empty);
            yield return ("icu.dll", string.Empty);
            yield break;
        }

        if (OperatingSystem.IsMacOS())
        {
            yield return ("libicucore.dylib", string.Empty);
            yield break;
        }

        for (var version = 90; version >= 50; version--)
        {
            var v = version.ToString(CultureInfo.InvariantCulture);
            yield return ("libicuuc.so." + v, "_" + v);
            yield return ("libicuuc.so." + v, string.Empty);
        }
    }

    private sealed record Api(IntPtr Instance, Normalize Normalize);
}
