using Bulwark.Core.Incidents.Detection;

namespace Bulwark.Core.Tests.Incidents.Detection;

public sealed class DetectionOptionsValidatorTests
{
    private static readonly Dictionary<string, (Action<DetectionOptions> Break, string Names)> Broken = new()
    {
        ["zero window"] = (o => o.BruteForce.Window = TimeSpan.Zero, "BruteForce:Window"),
        ["negative window"] = (o => o.CredentialStuffing.Window = TimeSpan.FromMinutes(-5), "CredentialStuffing:Window"),
        ["window over a day"] = (o => o.MassQuery.Window = TimeSpan.FromDays(2), "MassQuery:Window"),
        ["negative cooldown"] = (o => o.ModelIntegrity.Cooldown = TimeSpan.FromSeconds(-1), "ModelIntegrity:Cooldown"),
        ["threshold zero"] = (o => o.Probing.Threshold = 0, "Probing:Threshold"),
        ["threshold one"] = (o => o.BruteForce.Threshold = 1, "BruteForce:Threshold"),
        ["one account"] = (o => o.CredentialStuffing.AccountThreshold = 1, "CredentialStuffing:AccountThreshold"),
        ["no learning"] = (o => o.ApiKeyNewNetwork.LearningEvents = 0, "ApiKeyNewNetwork:LearningEvents"),
        ["ipv4 prefix 33"] = (o => o.ApiKeyNewNetwork.Ipv4PrefixLength = 33, "ApiKeyNewNetwork:Ipv4PrefixLength"),
        ["ipv6 prefix 0"] = (o => o.ApiKeyNewNetwork.Ipv6PrefixLength = 0, "ApiKeyNewNetwork:Ipv6PrefixLength"),
        ["no tracked subjects"] = (o => o.MaxTrackedSubjects = 0, "MaxTrackedSubjects"),
        ["no evidence"] = (o => o.MaxEvidence = 0, "MaxEvidence"),
        ["cidr prefix too long"] = (o => o.AdminNetworks = ["10.0.0.0/33"], "AdminNetworks"),
        ["cidr host bits"] = (o => o.AdminNetworks = ["10.0.0.1/8"], "AdminNetworks"),
        ["cidr text"] = (o => o.AdminNetworks = ["office"], "AdminNetworks"),
        ["cidr empty"] = (o => o.AdminNetworks = [""], "AdminNetworks"),
        ["hours out of range"] = (o => o.AdminHours = "25:00-19:00", "AdminHours"),
        ["hours one time"] = (o => o.AdminHours = "07:00", "AdminHours"),
        ["hours empty range"] = (o => o.AdminHours = "07:00-07:00", "AdminHours"),
        ["hours single digit"] = (o => o.AdminHours = "7:00-19:00", "AdminHours"),
        ["hours minutes 60"] = (o => o.AdminHours = "07:60-19:00", "AdminHours"),
        ["hours start at 24"] = (o => o.AdminHours = "24:00-06:00", "AdminHours"),
        ["days unknown"] = (o => o.AdminDays = "Mon-Funday", "AdminDays"),
        ["days empty"] = (o => o.AdminDays = "", "AdminDays"),
        ["days abbreviated too far"] = (o => o.AdminDays = "Mo-Fr", "AdminDays"),
        ["time zone unknown"] = (o => o.AdminTimeZone = "Mars/Olympus_Mons", "AdminTimeZone"),
    };

    public static TheoryData<string> BrokenCases => [.. Broken.Keys];

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new DetectionOptionsValidator().Validate(null, new DetectionOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [MemberData(nameof(BrokenCases))]
    public void Validate_NonsenseSetting_FailsNamingTheKey(string name)
    {
        var (breakIt, key) = Broken[name];
        var options = new DetectionOptions();
        breakIt(options);

        var result = new DetectionOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Bulwark:Detection:" + key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("22:00-06:00", "Mon-Sun", "UTC")]
    [InlineData("00:00-24:00", "Sat,Sun", "Europe/Berlin")]
    [InlineData("08:30-17:45", "Fri-Mon", "America/New_York")]
    [InlineData("07:00-19:00", "monday,Tuesday , wed", "UTC")]
    public void Validate_SensibleSchedules_Succeed(string hours, string days, string zone)
    {
        var options = new DetectionOptions
        {
            AdminHours = hours,
            AdminDays = days,
            AdminTimeZone = zone,
            AdminNetworks = ["10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"],
        };

        var result = new DetectionOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void CreateRules_InvalidSchedule_Throws()
    {
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => DetectionEngine.CreateRules(new DetectionOptions { AdminHours = "nope" }));
    }
}
