using System.Text;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Crypto.Providers;

/// <summary>
/// Where the PKCS#11 token holding the key-encryption keys is and how to log in to it. Bound from
/// <c>Bulwark:Keys:Pkcs11</c>. The user PIN itself is never part of the configuration: it is read from a file that only
/// its owner can read, or from an environment variable, both named here.
/// </summary>
public sealed class Pkcs11Options
{
    public const string Section = "Bulwark:Keys:Pkcs11";

    /// <summary>Absolute path of the vendor's PKCS#11 module (a shared library), e.g. <c>/usr/lib/softhsm/libsofthsm2.so</c>.</summary>
    public string LibraryPath { get; set; } = "";

    /// <summary>Label of the token to use (as shown by the vendor's tools); set this or <see cref="SlotId"/>.</summary>
    public string? TokenLabel { get; set; }

    /// <summary>Slot id of the token to use; set this or <see cref="TokenLabel"/>.</summary>
    public ulong? SlotId { get; set; }

    /// <summary>File holding the user PIN (trailing newline ignored); must not be accessible by group or others (mode 0600).</summary>
    public string? PinFile { get; set; }

    /// <summary>Name of the environment variable holding the user PIN (the variable's name, never the PIN).</summary>
    public string? PinEnvironmentVariable { get; set; }

    /// <summary>Most sessions opened on the token at once; operations beyond that wait for a free session.</summary>
    public int MaxSessions { get; set; } = 4;

    /// <summary>
    /// Binds <see cref="Section"/> and refuses a PIN written into the configuration, which would otherwise be silently ignored
    /// and left in a settings file or the process environment listing.
    /// </summary>
    public static Pkcs11Options FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        foreach (var forbidden in new[] { "Pin", "UserPin", "SoPin" })
        {
            if (section[forbidden] is not null)
            {
                throw new SecurityConfigurationException(
                    $"{Section}:{forbidden} is not accepted: a PIN must not be kept in configuration. Put it in a file readable only by the service account (chmod 600) and set {Section}:PinFile, or set {Section}:PinEnvironmentVariable to the name of a variable holding it.");
            }
        }

        var options = new Pkcs11Options();
        section.Bind(options);
        return options;
    }

    /// <summary>Checks the settings and says what to fix; nothing is loaded or opened.</summary>
    /// <exception cref="SecurityConfigurationException">A setting is missing, contradictory or unsafe.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(LibraryPath))
        {
            throw new SecurityConfigurationException($"{Section}:LibraryPath is required: the absolute path of the token vendor's PKCS#11 library (for SoftHSM2 on Debian: /usr/lib/softhsm/libsofthsm2.so).");
        }

        if (!Path.IsPathFullyQualified(LibraryPath))
        {
            throw new SecurityConfigurationException($"{Section}:LibraryPath '{LibraryPath}' must be an absolute path, so the library is not looked up in the search path.");
        }

        if (!File.Exists(LibraryPath))
        {
            throw new SecurityConfigurationException($"{Section}:LibraryPath '{LibraryPath}' does not exist. Install the vendor's PKCS#11 client or fix the path.");
        }

        if (string.IsNullOrWhiteSpace(TokenLabel) == SlotId is null)
        {
            throw new SecurityConfigurationException($"Set exactly one of {Section}:TokenLabel and {Section}:SlotId to choose the token.");
        }

        if (string.IsNullOrWhiteSpace(PinFile) == string.IsNullOrWhiteSpace(PinEnvironmentVariable))
        {
            throw new SecurityConfigurationException($"Set exactly one of {Section}:PinFile (a file with mode 0600 holding the user PIN) and {Section}:PinEnvironmentVariable (the name of a variable holding it).");
        }

        if (MaxSessions is < 1 or > 64)
        {
            throw new SecurityConfigurationException($"{Section}:MaxSessions must be between 1 and 64 (it is {MaxSessions}).");
        }
    }

    /// <summary>Reads the user PIN from the file or variable named by the options. The caller zeroes the bytes.</summary>
    internal byte[] ReadPin()
    {
        string pin;
        if (!string.IsNullOrWhiteSpace(PinFile))
        {
            if (!File.Exists(PinFile))
            {
                throw new SecurityConfigurationException($"{Section}:PinFile '{PinFile}' does not exist.");
            }

            if (!OperatingSystem.IsWindows())
            {
                const UnixFileMode tooWide = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                    | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
                var mode = File.GetUnixFileMode(PinFile);
                if ((mode & tooWide) != 0)
                {
                    throw new SecurityConfigurationException($"PIN file '{PinFile}' is accessible by group or others (mode {Convert.ToString((int)mode, 8)}). Fix it with: chmod 600 '{PinFile}'.");
                }
            }

            pin = File.ReadAllText(PinFile).TrimEnd('\r', '\n');
            if (pin.Length == 0)
            {
                throw new SecurityConfigurationException($"PIN file '{PinFile}' is empty.");
            }
        }
        else
        {
            pin = Environment.GetEnvironmentVariable(PinEnvironmentVariable!) ?? "";
            if (pin.Length == 0)
            {
                throw new SecurityConfigurationException($"The environment variable '{PinEnvironmentVariable}' named by {Section}:PinEnvironmentVariable is not set or empty.");
            }
        }

        return Encoding.UTF8.GetBytes(pin);
    }
}
