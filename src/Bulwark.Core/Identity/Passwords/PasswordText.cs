using System.Buffers;
using System.Globalization;
using System.Text;

namespace Bulwark.Core.Identity.Passwords;

/// <summary>
/// Text rules shared by the policy and the hasher. NIST SP 800-63B §3.1.1.2: verifiers apply
/// NFKC (or NFKD) before hashing so that one password typed on different keyboards or input
/// methods is one password, and count length in characters (here Unicode code points).
/// </summary>
internal static class PasswordText
{
    private static readonly Lazy<bool> RuntimeNormalizes = new(() =>
        string.Equals("\uFF41\u00C5".Normalize(NormalizationForm.FormKC), "a\u00C5", StringComparison.Ordinal)
        && string.Equals("A\u030A".Normalize(NormalizationForm.FormKC), "\u00C5", StringComparison.Ordinal));

    /// <summary>
    /// True when full Unicode NFKC is available. When false, a non-ASCII password cannot be
    /// normalised and <see cref="Normalize"/> throws; startup checks should refuse to run.
    /// </summary>
    public static bool IsNormalizationAvailable => RuntimeNormalizes.Value || IcuNormalizer.IsAvailable;

    /// <summary>NFKC form of <paramref name="password"/> (NIST SP 800-63B §3.1.1.2).</summary>
    /// <exception cref="PlatformNotSupportedException">Non-ASCII input and no Unicode data available.</exception>
    public static string Normalize(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (Ascii.IsValid(password))
        {
            // ASCII is already in every normal form; skip the native call on the common path.
            return password;
        }

        if (RuntimeNormalizes.Value)
        {
            return password.Normalize(NormalizationForm.FormKC);
        }

        // Fail closed: hashing un-normalised text would make the same password verify differently
        // once normalisation is switched on, so never fall back to returning the input.
        return IcuNormalizer.TryNormalizeKc(password)
            ?? throw new PlatformNotSupportedException("Unicode NFKC normalisation is unavailable: install ICU or disable InvariantGlobalization.");
    }

    /// <summary>Length in Unicode code points: a surrogate pair (emoji) counts once.</summary>
    public static int CountCodePoints(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// True when the text holds a control or format character (categories Cc, Cf), an unpaired
    /// surrogate, or a noncharacter: invisible characters that users cannot reliably retype.
    /// Space and every other printable character, emoji included, are allowed (NIST SP 800-63B §3.1.1.2).
    /// </summary>
    public static bool ContainsForbiddenCharacters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var index = 0; index < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out var consumed) != OperationStatus.Done)
            {
                return true;
            }

            // U+200D ZERO WIDTH JOINER is Cf but glues emoji sequences (family, flags); allowed.
            var category = Rune.GetUnicodeCategory(rune);
            if (rune.Value != 0x200D && category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate)
            {
                return true;
            }

            index += consumed;
        }

        return false;
    }
}
