using Bulwark.Core.Monitoring;
using Bulwark.Core.Registry;

namespace Bulwark.Core.Tests.Registry;

/// <summary>Per-model settings keyed <c>&lt;project&gt;/&lt;model&gt;</c>, with the bare model name as the instance-wide fallback.</summary>
public sealed class RegistryOptionsKeyTests
{
    [Theory]
    [InlineData("dup", true)]
    [InlineData("beta/dup", true)]
    [InlineData("Beta/dup", false)]
    [InlineData("beta/", false)]
    [InlineData("a/b/c", false)]
    [InlineData("", false)]
    public void IsModelKey_AcceptsModelOrProjectSlashModel(string key, bool valid) => Assert.Equal(valid, RegistryOptions.IsModelKey(key));

    [Fact]
    public void GatesFor_PrefersTheProjectsEntry_ThenTheBareName()
    {
        var options = new RegistryOptions();
        options.Gates["m"] = new PromotionGateOptions { MaxRegression = 0.1 };
        options.Gates["p1/m"] = new PromotionGateOptions { MaxRegression = 0.2 };
        Assert.Equal(0.2, options.GatesFor("p1", "m")!.MaxRegression);
        Assert.Equal(0.1, options.GatesFor("p2", "m")!.MaxRegression);
        Assert.Null(options.GatesFor("p1", "n"));
    }

    [Fact]
    public void RetrainingFor_PrefersTheProjectsEntry_ThenTheBareName()
    {
        var options = new MonitoringOptions();
        options.Retraining["m"] = new RetrainingPolicy { Dataset = "shared" };
        options.Retraining["p1/m"] = new RetrainingPolicy { Dataset = "own" };
        Assert.Equal("own", options.RetrainingFor("p1", "m")!.Dataset);
        Assert.Equal("shared", options.RetrainingFor("p2", "m")!.Dataset);
    }

    [Fact]
    public void Validator_RefusesAGateKeyThatIsNeitherModelNorProjectSlashModel()
    {
        var options = new RegistryOptions();
        options.Gates["Not A Model"] = new PromotionGateOptions();
        var result = new RegistryOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("Gates:Not A Model", result.FailureMessage, StringComparison.Ordinal);
    }
}
