using System.Text;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Tests.Monitoring;
using Bulwark.Core.Tests.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bulwark.Core.Tests.Serving;

/// <summary>The out-of-distribution guard on the prediction path: flag (default), reject and off, per model.</summary>
public sealed class OutOfDistributionServingTests
{
    private static readonly BulwarkPrincipal Caller = new("key-1", "caller", new HashSet<string> { "predict:fraud" }, "api-key");

    // x1 and x2 were trained on [0, 1]: 1.8 passes schema validation (up to max + span) but is far outside the training range.
    private const string InRange = "{\"x1\":0.4,\"x2\":0.3,\"region\":\"north\"}";
    private const string Outside = "{\"x1\":1.8,\"x2\":0.3,\"region\":\"south\"}";

    private static string Body(params string[] rows) => "{\"instances\":[" + string.Join(',', rows) + "]}";

    private static PredictionCall Call(string body) => new("fraud", null, Encoding.UTF8.GetBytes(body), PredictionProtocol.V1, Caller, "10.0.0.9", false);

    private static async Task<CoreTestEnvironment> ServingAsync(NewModelVersion? version = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var env = await CoreTestEnvironment.CreateAsync(settings);
        await using var scope = env.Scope();
        var registered = await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(version ?? ProfiledModels.NewVersion("fraud"));
        Assert.True(registered.Succeeded, registered.Failure?.Detail);
        var promoted = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().PromoteAsync("fraud", registered.Value.Version, ModelStage.Production, "approver", null);
        Assert.True(promoted.Succeeded, promoted.Failure?.Detail);
        return env;
    }

    [Fact]
    public async Task PredictAsync_Default_FlagsOutOfRangeRows_ServesThem_AuditsOnceWithoutValues()
    {
        await using var env = await ServingAsync();

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(Body(InRange, Outside, Outside)));

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Equal(3, result.Value.Predictions.Count);
        var finding = result.Value.OutOfDistribution!;
        Assert.Equal((2, 1, false), (finding.FlaggedRows, finding.FirstRow, finding.Joint));
        Assert.Equal(["x1"], finding.Features);

        var flagged = Assert.Single(await env.AuditAsync(AuditCodes.PredictionOutOfDistribution));
        Assert.Equal(("flagged", "model/fraud/1", "key-1"), (flagged.Outcome, flagged.Resource, flagged.Principal));
        using var details = JsonDocument.Parse(flagged.Details);
        Assert.Equal(2, details.RootElement.GetProperty("flaggedRows").GetInt32());
        Assert.Equal(3, details.RootElement.GetProperty("rows").GetInt32());
        Assert.Equal("fraud", details.RootElement.GetProperty("model").GetString());
        Assert.Equal(1, details.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("x1", details.RootElement.GetProperty("features")[0].GetString());
        Assert.DoesNotContain("1.8", flagged.Details, StringComparison.Ordinal);
        Assert.Single(await env.AuditAsync(AuditCodes.PredictionServed));
    }

    [Fact]
    public async Task PredictAsync_InRangeRows_NoFindingNoEvent()
    {
        await using var env = await ServingAsync();

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(Body(InRange, InRange)));

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Null(result.Value.OutOfDistribution);
        Assert.Empty(await env.AuditAsync(AuditCodes.PredictionOutOfDistribution));
    }

    [Fact]
    public async Task PredictAsync_Reject_422NamingRowAndFeature_NeverTheValue_ModelNotRun()
    {
        await using var env = await ServingAsync(settings: new Dictionary<string, string?> { ["Bulwark:Serving:OodActions:fraud"] = "reject" });

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(Body(InRange, Outside)));

        Assert.False(result.Succeeded);
        Assert.Equal((ServingErrors.OutOfDistribution, 422), (result.Failure.Code, result.Failure.Status));
        Assert.Equal(1, result.Failure.Extensions!["row"]);
        Assert.Equal(["x1"], (IEnumerable<string>)result.Failure.Extensions["features"]!);
        Assert.Contains("Row 1", result.Failure.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("1.8", result.Failure.Detail, StringComparison.Ordinal);

        var rejected = Assert.Single(await env.AuditAsync(AuditCodes.PredictionRejected));
        Assert.Contains(ServingErrors.OutOfDistribution, rejected.Details, StringComparison.Ordinal);
        Assert.Contains("x1", rejected.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("1.8", rejected.Details, StringComparison.Ordinal);
        Assert.Empty(await env.AuditAsync(AuditCodes.PredictionServed));
        Assert.Empty(await env.AuditAsync(AuditCodes.PredictionOutOfDistribution));
    }

    [Theory]
    [InlineData("Bulwark:Serving:OodActions:fraud", "off")]
    [InlineData("Bulwark:Serving:OodAction", "Off")]
    public async Task PredictAsync_Off_ServesWithoutLooking(string key, string value)
    {
        await using var env = await ServingAsync(settings: new Dictionary<string, string?> { [key] = value });

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(Body(Outside)));

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Null(result.Value.OutOfDistribution);
        Assert.Empty(await env.AuditAsync(AuditCodes.PredictionOutOfDistribution));
    }

    [Fact]
    public async Task PredictAsync_RejectEverywhereButFlagForThisModel_ThePerModelActionWins()
    {
        await using var env = await ServingAsync(settings: new Dictionary<string, string?>
        {
            ["Bulwark:Serving:OodAction"] = "reject",
            ["Bulwark:Serving:OodActions:fraud"] = "flag",
        });

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(Body(Outside)));

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Equal(1, result.Value.OutOfDistribution!.FlaggedRows);
    }

    [Fact]
    public async Task PredictAsync_VersionWithoutProfile_ServesAnythingValid_EvenWithReject()
    {
        // No profile, no guard (imported models, versions trained before profiles): schema validation still applies.
        await using var env = await ServingAsync(RegistryTestModels.NewVersion("fraud"),
            new Dictionary<string, string?> { ["Bulwark:Serving:OodAction"] = "reject" });

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call("{\"instances\":[{\"a\":10,\"b\":10,\"c\":0,\"d\":0}]}"));

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Null(result.Value.OutOfDistribution);
    }

    [Theory]
    [InlineData("Bulwark:Serving:OodAction", "sometimes")]
    [InlineData("Bulwark:Serving:OodAction", "7")]
    [InlineData("Bulwark:Serving:OodActions:fraud", "block")]
    [InlineData("Bulwark:Serving:OodActions:fraud", "-1")]
    [InlineData("Bulwark:Serving:OodRangeMargin", "5")]
    public async Task Options_UnknownAction_StopStartup(string key, string value)
    {
        await using var env = await CoreTestEnvironment.CreateAsync(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => env.Services.GetRequiredService<IOptions<ServingOptions>>().Value);

        Assert.True(error is OptionsValidationException or InvalidOperationException, error.GetType().Name);
        Assert.Contains(key.Split(':')[2], error.Message, StringComparison.Ordinal);
    }
}
