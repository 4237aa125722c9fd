using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Core.Monitoring;

namespace Bulwark.Core.Tests.Monitoring;

/// <summary>
/// A profile is read only if it fits the signed schema and is numerically sound: the guard indexes into it on every
/// request, so a malformed one must fail the load, not a prediction.
/// </summary>
public sealed class ReferenceProfileValidatorTests
{
    private static JsonNode Json() => JsonNode.Parse(ProfiledModels.Small.Files[ReferenceProfile.FileName])!;

    private static string? Problem(JsonNode json)
    {
        var profile = ReferenceProfile.Read(Encoding.UTF8.GetBytes(json.ToJsonString()), ProfiledModels.Small.FeatureSchema, out var problem);
        Assert.Equal(profile is null, problem is not null);
        return problem;
    }

    [Fact]
    public void Read_AsTrained_Accepted() => Assert.Null(Problem(Json()));

    public static TheoryData<string, Action<JsonNode>> Breakages => new()
    {
        { "NaN maximum", j => j["numeric"]![0]!["max"] = "NaN" },
        { "infinite mean", j => j["numeric"]![0]!["mean"] = JsonNode.Parse("1e309") },
        { "quantiles out of order", j => j["numeric"]![0]!["quantiles"]![3] = -1000 },
        { "quantiles missing", j => j["numeric"]![0]!["quantiles"]!.AsArray().RemoveAt(0) },
        { "bins and shares disagree", j => j["numeric"]![0]!["binProportions"]!.AsArray().RemoveAt(0) },
        { "a categorical feature profiled as numeric", j => j["numeric"]![0]!["name"] = "region" },
        { "an unknown feature", j => j["categorical"]![0]!["name"] = "planet" },
        { "joint precision of the wrong size", j => j["multivariate"]!["precision"]!.AsArray().RemoveAt(0) },
        { "joint feature not in the schema", j => j["multivariate"]!["features"]![0] = "region" },
        { "joint threshold not positive", j => j["multivariate"]!["threshold"] = 0 },
        { "joint scale zero", j => j["multivariate"]!["scale"]![0] = 0 },
        { "predictions without scores", j => j["predictions"]!.AsObject().Remove("scores") },
        { "unknown format", j => j["formatVersion"] = 99 },
        { "no rows", j => j["rows"] = 0 },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void Read_Malformed_RefusedWithAReason(string what, Action<JsonNode> breakage)
    {
        var json = Json();
        breakage(json);

        Assert.NotNull(Problem(json));
        Assert.False(string.IsNullOrEmpty(what));
    }
}
