using Bulwark.Core.Crypto;
using Bulwark.Core.Crypto.Providers;
using Microsoft.Extensions.Configuration;

namespace Bulwark.Core.Tests.Crypto.Providers;

/// <summary>PKCS#11 settings that must stop startup with a message saying what to fix, before any library is loaded.</summary>
public sealed class Pkcs11OptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-pkcs11-options-").FullName;

    [Theory]
    [InlineData("", "LibraryPath is required")]
    [InlineData("libsofthsm2.so", "must be an absolute path")]
    [InlineData("/nonexistent/libvendor-pkcs11.so", "does not exist")]
    public void Open_BadLibraryPath_ClearError(string path, string expected)
    {
        var options = Valid();
        options.LibraryPath = path;
        var ex = Assert.Throws<SecurityConfigurationException>(() => Pkcs11KekProvider.Open(options));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Bulwark:Keys:Pkcs11:LibraryPath", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_LibraryIsNotPkcs11_ClearError()
    {
        var options = Valid();
        options.LibraryPath = Path.Combine(_dir, "not-a-library.so");
        File.WriteAllText(options.LibraryPath, "this is not a shared object");
        var ex = Assert.Throws<SecurityConfigurationException>(() => Pkcs11KekProvider.Open(options));
        Assert.Contains("could not be loaded", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TokenChoice_ExactlyOne()
    {
        var both = Valid();
        both.SlotId = 0;
        Assert.Contains("exactly one of Bulwark:Keys:Pkcs11:TokenLabel", Assert.Throws<SecurityConfigurationException>(both.Validate).Message, StringComparison.Ordinal);

        var neither = Valid();
        neither.TokenLabel = null;
        Assert.Throws<SecurityConfigurationException>(neither.Validate);
    }

    [Fact]
    public void Validate_PinSource_ExactlyOne()
    {
        var both = Valid();
        both.PinEnvironmentVariable = "HSM_PIN";
        Assert.Contains("PinFile", Assert.Throws<SecurityConfigurationException>(both.Validate).Message, StringComparison.Ordinal);

        var neither = Valid();
        neither.PinFile = null;
        Assert.Throws<SecurityConfigurationException>(neither.Validate);
    }

    [Fact]
    public void ReadPin_UnsetVariable_ClearError()
    {
        var options = Valid();
        options.PinFile = null;
        options.PinEnvironmentVariable = "BULWARK_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        var ex = Assert.Throws<SecurityConfigurationException>(() => options.ReadPin());
        Assert.Contains("is not set or empty", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Pin")]
    [InlineData("UserPin")]
    [InlineData("SoPin")]
    public void FromConfiguration_PinInConfiguration_Refused(string key)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bulwark:Keys:Pkcs11:LibraryPath"] = "/usr/lib/softhsm/libsofthsm2.so",
            ["Bulwark:Keys:Pkcs11:" + key] = "123456",
        }).Build();

        var ex = Assert.Throws<SecurityConfigurationException>(() => Pkcs11Options.FromConfiguration(configuration));
        Assert.Contains("must not be kept in configuration", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("123456", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_BindsSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bulwark:Keys:Pkcs11:LibraryPath"] = "/opt/vendor/lib/libpkcs11.so",
            ["Bulwark:Keys:Pkcs11:SlotId"] = "3",
            ["Bulwark:Keys:Pkcs11:PinEnvironmentVariable"] = "HSM_PIN",
            ["Bulwark:Keys:Pkcs11:MaxSessions"] = "8",
        }).Build();

        var options = Pkcs11Options.FromConfiguration(configuration);
        Assert.Equal("/opt/vendor/lib/libpkcs11.so", options.LibraryPath);
        Assert.Equal(3ul, options.SlotId);
        Assert.Equal("HSM_PIN", options.PinEnvironmentVariable);
        Assert.Equal(8, options.MaxSessions);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Pkcs11Options Valid()
    {
        var pin = Path.Combine(_dir, "pin");
        if (!File.Exists(pin))
        {
            File.WriteAllText(pin, "1234");
            File.SetUnixFileMode(pin, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var library = Path.Combine(_dir, "lib.so");
        File.WriteAllText(library, "");
        return new Pkcs11Options { LibraryPath = library, TokenLabel = "t", PinFile = pin };
    }
}
