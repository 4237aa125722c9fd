using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Telemetry;
using Bulwark.Core.Tests.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Telemetry;

public sealed class PredictionTelemetryTests
{
    // "predict" lets the key name any model: the case where a typed name must not become a time series.
    private static readonly BulwarkPrincipal Caller = new("key-1", "caller", new HashSet<string> { "predict" }, "api-key");

    private const string Body = "{\"instances\":[{\"a\":9.5,\"b\":9,\"c\":1,\"d\":1}]}";

    private static PredictionCall Call(string body, string model = "fraud") =>
        new(model, null, Encoding.UTF8.GetBytes(body), PredictionProtocol.V1, Caller, "10.0.0.9", false);

    private static async Task<CoreTestEnvironment> WithProductionModelAsync()
    {
        var env = await CoreTestEnvironment.CreateAsync();
        await using var scope = env.Scope();
        var registered = await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"));
        Assert.True(registered.Succeeded, registered.Failure?.Detail);
        var promoted = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().PromoteAsync("fraud", registered.Value.Version, ModelStage.Production, "admin", null);
        Assert.True(promoted.Succeeded, promoted.Failure?.Detail);
        return env;
    }

    private static (string Project, string Model, string Outcome) Series(MeasurementRecorder.Recorded r) =>
        ((string)r.Tags["project"]!, (string)r.Tags["model"]!, (string)r.Tags["outcome"]!);

    [Fact]
    public async Task PredictAsync_Served_CountsSuccessAndDurationUnderTheModel()
    {
        await using var env = await WithProductionModelAsync();
        using var recorder = new MeasurementRecorder(env.Services.GetRequiredService<BulwarkMetrics>().Meter);

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(Body));

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Equal(("default", "fraud", "success"), Series(Assert.Single(recorder.Of("bulwark.serving.predictions"))));
        Assert.Equal(("default", "fraud", "success"), Series(Assert.Single(recorder.Of("bulwark.serving.prediction.duration"))));
        Assert.Empty(recorder.Of("bulwark.serving.validation_failures"));
    }

    [Theory]
    [InlineData("{\"instances\":[{\"a\":1e309,\"b\":1,\"c\":1,\"d\":1}]}", ServingErrors.NonFiniteNumber)]
    [InlineData("{\"instances\":[{\"a\":1,\"b\":1,\"c\":1}]}", ServingErrors.MissingFeature)]
    [InlineData("{\"instances\":[{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"secret-column\":1}]}", ServingErrors.UnknownFeature)]
    public async Task PredictAsync_InvalidInput_CountsValidationFailureByCodeOnly(string body, string code)
    {
        await using var env = await WithProductionModelAsync();
        using var recorder = new MeasurementRecorder(env.Services.GetRequiredService<BulwarkMetrics>().Meter);

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(body));

        Assert.Equal(code, result.Failure?.Code);
        var failure = Assert.Single(recorder.Of("bulwark.serving.validation_failures"));
        Assert.Equal(new Dictionary<string, object?> { ["code"] = code }, failure.Tags);
        Assert.Equal(("default", "fraud", "rejected"), Series(Assert.Single(recorder.Of("bulwark.serving.predictions"))));
    }

    [Theory]
    [InlineData("attacker-chosen-name-0001")]
    [InlineData("Not A Valid Name")]
    public async Task PredictAsync_ModelThatDoesNotExist_TypedNameNeverBecomesATag(string model)
    {
        await using var env = await WithProductionModelAsync();
        using var recorder = new MeasurementRecorder(env.Services.GetRequiredService<BulwarkMetrics>().Meter);

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(Body, model));

        Assert.False(result.Succeeded);
        Assert.Equal(("default", BulwarkMetrics.NoModel, "rejected"), Series(Assert.Single(recorder.Of("bulwark.serving.predictions"))));
        Assert.Empty(recorder.Of("bulwark.serving.validation_failures"));
    }

    [Fact]
    public async Task PredictAsync_Traced_SpanNamesTheRegisteredModelAndOutcome()
    {
        await using var env = await WithProductionModelAsync();
        var spans = new ConcurrentQueue<Activity>();
        using var parent = new Activity("test").Start();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BulwarkTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            // Only this test's spans: other tests predict in parallel under the same source.
            ActivityStopped = activity => { if (activity.TraceId == parent.TraceId) spans.Enqueue(activity); },
        };
        ActivitySource.AddActivityListener(listener);

        await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(Body));
        await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call("{\"instances\":[{\"a\":1e309,\"b\":1,\"c\":1,\"d\":1}]}"));

        Assert.Equal(2, spans.Count);
        Assert.All(spans, s => Assert.Equal(("predict", "fraud", 1, "default"),
            (s.OperationName, s.GetTagItem("bulwark.model.name"), s.GetTagItem("bulwark.model.version"), s.GetTagItem("bulwark.project"))));
        Assert.Equal(["success", "rejected"], spans.Select(s => s.GetTagItem("bulwark.prediction.outcome")));
        Assert.Equal(ServingErrors.NonFiniteNumber, spans.Last().GetTagItem("error.type"));

        // A client's mistake is not a server error (OpenTelemetry HTTP semantic conventions).
        Assert.All(spans, s => Assert.NotEqual(ActivityStatusCode.Error, s.Status));
    }
}
