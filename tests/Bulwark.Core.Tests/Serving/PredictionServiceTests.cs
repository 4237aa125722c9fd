using System.Text;
using System.Text.Json;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Identity;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Tests.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bulwark.Core.Tests.Serving;

public sealed class PredictionServiceTests
{
    private static readonly BulwarkPrincipal Caller = new("key-1", "caller", new HashSet<string> { "predict:fraud" }, "api-key");

    // May also read the registry: the only kind of key that may shadow-test candidates by explicit version.
    private static readonly BulwarkPrincipal Operator = new("key-3", "operator", new HashSet<string> { "predict:fraud", "models:read" }, "api-key");

    private const string V1Body = "{\"instances\":[{\"a\":9.5,\"b\":9,\"c\":1,\"d\":1},{\"a\":0.5,\"b\":1,\"c\":1,\"d\":1}]}";

    private static PredictionCall Call(string body, PredictionProtocol protocol = PredictionProtocol.V1, int? version = null, bool probabilities = false,
        BulwarkPrincipal? principal = null, string model = "fraud") =>
        new(model, version, Encoding.UTF8.GetBytes(body), protocol, principal ?? Caller, "10.0.0.9", probabilities);

    private static async Task<ModelVersion> RegisterAndPromoteAsync(CoreTestEnvironment env, bool onnx = false, bool promote = true)
    {
        await using var scope = env.Scope();
        var registered = onnx
            ? await scope.ServiceProvider.GetRequiredService<ModelImporter>().ImportOnnxAsync("fraud", RegistryTestModels.NumericOnnx, ModelImporterTests.Schema(), "admin", null)
            : await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"));
        Assert.True(registered.Succeeded, registered.Failure?.Detail);
        if (!promote)
        {
            return registered.Value;
        }

        var promoted = await scope.ServiceProvider.GetRequiredService<ModelRegistry>().PromoteAsync("fraud", registered.Value.Version, ModelStage.Production, "approver", null);
        Assert.True(promoted.Succeeded, promoted.Failure?.Detail);
        return promoted.Value;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PredictAsync_V1OnProductionVersion_LabelsScoresAndAudit(bool onnx)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAndPromoteAsync(env, onnx);
        var service = env.Services.GetRequiredService<PredictionService>();

        var result = await service.PredictAsync(Call(V1Body, probabilities: true));

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Equal((version.Version, version.ManifestDigest), (result.Value.Version, result.Value.ManifestDigest));
        Assert.Equal(["malignant", "benign"], result.Value.Predictions.Select(p => p.Label));
        foreach (var p in result.Value.Predictions)
        {
            Assert.InRange(p.Score!.Value, 0.5, 1);
            Assert.Equal(Math.Round(p.Score.Value, 4), p.Score.Value);
            Assert.Equal(1, p.Probabilities!.Values.Sum(), 3);
        }

        var served = Assert.Single(await env.AuditAsync(AuditCodes.PredictionServed));
        using var details = JsonDocument.Parse(served.Details);
        Assert.Equal(env.Services.GetRequiredService<InputHasher>().Hash(Encoding.UTF8.GetBytes(V1Body)), details.RootElement.GetProperty("inputHmac").GetString());
        Assert.Equal(2, details.RootElement.GetProperty("rows").GetInt32());
        Assert.Equal(version.ManifestDigest, details.RootElement.GetProperty("manifestDigest").GetString());
        Assert.DoesNotContain("9.5", served.Details, StringComparison.Ordinal);
        Assert.Equal("model/fraud/1", served.Resource);
    }

    [Fact]
    public async Task PredictAsync_OipV2_MatchesV1AndShapesResponse()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAndPromoteAsync(env);
        var service = env.Services.GetRequiredService<PredictionService>();
        const string oip = "{\"id\":\"req-7\",\"inputs\":[{\"name\":\"input-0\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":[[9.5,9,1,1],[0.5,1,1,1]]}]}";

        var v1 = await service.PredictAsync(Call(V1Body));
        var v2 = await service.PredictAsync(Call(oip, PredictionProtocol.OipV2, version: 1));

        Assert.True(v2.Succeeded, v2.Failure?.Detail);
        Assert.Equal(v1.Value!.Predictions.Select(p => (p.Label, p.Score)), v2.Value.Predictions.Select(p => (p.Label, p.Score)));
        Assert.Null(v2.Value.Predictions[0].Probabilities);
        var response = JsonSerializer.SerializeToNode(v2.Value.ToOipV2())!;
        Assert.Equal("fraud", response["model_name"]!.GetValue<string>());
        Assert.Equal("1", response["model_version"]!.GetValue<string>());
        Assert.Equal("req-7", response["id"]!.GetValue<string>());
        Assert.Equal("label", response["outputs"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("BYTES", response["outputs"]![0]!["datatype"]!.GetValue<string>());
        Assert.Equal(2, response["outputs"]![0]!["shape"]![0]!.GetValue<long>());
        Assert.Equal("malignant", response["outputs"]![0]!["data"]![0]!.GetValue<string>());
        Assert.Equal("score", response["outputs"]![1]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task PredictAsync_OnnxAndMlNet_AgreeOnScores()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        // Candidates can be served by explicit version (shadow testing) before promotion, to registry readers.
        await RegisterAndPromoteAsync(env, onnx: false, promote: false);
        await RegisterAndPromoteAsync(env, onnx: true, promote: false);
        var service = env.Services.GetRequiredService<PredictionService>();

        var mlnet = await service.PredictAsync(Call(V1Body, version: 1, principal: Operator));
        var onnx = await service.PredictAsync(Call(V1Body, version: 2, principal: Operator));

        Assert.Equal(mlnet.Value!.Predictions.Select(p => p.Label), onnx.Value!.Predictions.Select(p => p.Label));
        Assert.All(mlnet.Value.Predictions.Zip(onnx.Value.Predictions), pair => Assert.Equal(pair.First.Score!.Value, pair.Second.Score!.Value, 3));
    }

    [Fact]
    public async Task PredictAsync_ConcurrentCallsAcrossInvalidation_AllServed()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAndPromoteAsync(env);
        var service = env.Services.GetRequiredService<PredictionService>();
        var cache = env.Services.GetRequiredService<LoadedModelCache>();

        var calls = Enumerable.Range(0, 32).Select(async i =>
        {
            if (i % 8 == 0)
            {
                cache.Invalidate(Bulwark.Core.Projects.ProjectIds.Default, "fraud");
            }

            return await service.PredictAsync(Call(V1Body));
        });
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.True(r.Succeeded, r.Failure?.Detail));
        Assert.Equal(32, (await env.AuditAsync(AuditCodes.PredictionServed)).Count);
    }

    [Fact]
    public async Task PredictAsync_BadInput_RejectedWithCodeAndAuditedWithoutValues()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAndPromoteAsync(env);

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call("{\"instances\":[{\"a\":1e309,\"b\":1,\"c\":1,\"d\":1}]}"));

        Assert.Equal(ServingErrors.NonFiniteNumber, result.Failure?.Code);
        var rejected = Assert.Single(await env.AuditAsync(AuditCodes.PredictionRejected));
        Assert.Contains(ServingErrors.NonFiniteNumber, rejected.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("1e309", rejected.Details, StringComparison.Ordinal);
        Assert.Empty(await env.AuditAsync(AuditCodes.PredictionServed));
    }

    [Fact]
    public async Task PredictAsync_NoProductionVersion_ModelNotReady()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using (var scope = env.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud"));
        }

        var service = env.Services.GetRequiredService<PredictionService>();
        var result = await service.PredictAsync(Call(V1Body));

        Assert.Equal(ServingErrors.ModelNotReady, result.Failure?.Code);
        Assert.True((await service.PredictAsync(Call(V1Body, version: 1, principal: Operator))).Succeeded);
        Assert.Equal(ServingErrors.ModelNotReady, (await service.PredictAsync(Call(V1Body, version: 7, principal: Operator))).Failure?.Code);
    }

    [Fact]
    public async Task PredictAsync_CandidateByVersionWithPredictOnlyKey_ModelNotReady404()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAndPromoteAsync(env, promote: false);
        var service = env.Services.GetRequiredService<PredictionService>();

        // The operator's call first, so the candidate row is in the shared cache when the predict-only key asks.
        Assert.True((await service.PredictAsync(Call(V1Body, version: 1, principal: Operator))).Succeeded);
        var result = await service.PredictAsync(Call(V1Body, version: 1));

        Assert.Equal(ServingErrors.ModelNotReady, result.Failure?.Code);
        Assert.Equal(404, result.Failure!.Status);
        Assert.Single(await env.AuditAsync(AuditCodes.PredictionServed));
        Assert.Single(await env.AuditAsync(AuditCodes.PredictionRejected));
    }

    [Theory]
    [InlineData("models:read")]
    [InlineData("admin")]
    public async Task PredictAsync_CandidateByVersionWithRegistryReader_Served(string scope)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAndPromoteAsync(env, promote: false);
        var reader = new BulwarkPrincipal("key-4", "reader", new HashSet<string> { "predict:fraud", scope }, "api-key");

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(V1Body, version: 1, principal: reader));

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.Equal(1, result.Value.Version);
    }

    [Fact]
    public async Task PredictAsync_ProductionByVersionWithPredictOnlyKey_Served()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAndPromoteAsync(env);

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(V1Body, version: 1));

        Assert.True(result.Succeeded, result.Failure?.Detail);
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("-1e39")]
    public async Task PredictAsync_FloatOverflowOnUnrangedModel_400NonFiniteNotServed(string value)
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var unranged = new FeatureSchema([.. "abcd".Select(c => new FeatureSpec(c.ToString(), FeatureKind.Numeric))], new OutputSpec("binary", ["benign", "malignant"]));
        await using (var scope = env.Scope())
        {
            var registered = await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(RegistryTestModels.NewVersion("fraud", schema: unranged));
            await scope.ServiceProvider.GetRequiredService<ModelRegistry>().PromoteAsync("fraud", registered.Value!.Version, ModelStage.Production, "admin", null);
        }

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call($"{{\"instances\":[{{\"a\":{value},\"b\":1,\"c\":1,\"d\":1}}]}}"));

        Assert.Equal(ServingErrors.NonFiniteNumber, result.Failure?.Code);
        Assert.Equal(400, result.Failure!.Status);
        Assert.Empty(await env.AuditAsync(AuditCodes.PredictionServed));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_RuntimeThrowsOrEmitsNaN_503RuntimeErrorNotException(bool nan)
    {
        var model = new LoadedModel(Guid.NewGuid(), "fraud", 3, "digest", RegistryTestModels.NumericSchema(), new FaultyRuntime(nan));

        var result = PredictionService.Run(Call(V1Body), model, 1000, NullLogger.Instance);

        Assert.Equal(ServingErrors.RuntimeError, result.Failure?.Code);
        Assert.Equal(503, result.Failure!.Status);
        Assert.DoesNotContain("NaN", result.Failure.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("boom", result.Failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_OnnxRunOverTimeBudget_TerminatedAnd503()
    {
        // Y = Identity(X) over [N, 2]: binary P(positive) is column 1. A zero budget expires before the run starts, so
        // ONNX Runtime sees Terminate and aborts the run, exactly as it would mid-run for a slow graph.
        var graph = OnnxTestBuilder.Message(o =>
        {
            o.Bytes(1, OnnxTestBuilder.Node("Identity", "", "X", "Y"));
            o.Text(2, "g");
            o.Bytes(11, OnnxTestBuilder.ValueInfo("X", 1, "N", 2));
            o.Bytes(12, OnnxTestBuilder.ValueInfo("Y", 1, "N", 2));
        });
        var bytes = OnnxTestBuilder.Model(graph);
        var schema = new FeatureSchema([new FeatureSpec("p0", FeatureKind.Numeric), new FeatureSpec("p1", FeatureKind.Numeric)], new OutputSpec("binary", ["n", "p"], "X", "Y"));
        var expired = new LoadedModel(Guid.NewGuid(), "fraud", 1, "digest", schema, new OnnxModelRuntime(bytes, schema, TimeSpan.Zero));
        var generous = new LoadedModel(Guid.NewGuid(), "fraud", 1, "digest", schema, new OnnxModelRuntime(bytes, schema, TimeSpan.FromMinutes(1)));
        const string body = "{\"instances\":[{\"p0\":0.1,\"p1\":0.9}]}";
        try
        {
            var result = PredictionService.Run(Call(body), expired, 1000, NullLogger.Instance);
            var served = PredictionService.Run(Call(body), generous, 1000, NullLogger.Instance);

            Assert.Equal(ServingErrors.RuntimeError, result.Failure?.Code);
            Assert.Equal(503, result.Failure!.Status);
            Assert.True(served.Succeeded, served.Failure?.Detail);
            Assert.Equal("p", served.Value.Predictions[0].Label);
        }
        finally
        {
            expired.Release();
            generous.Release();
        }
    }

    /// <summary>A runtime that fails like a broken model: throws (as ONNX Runtime does) or outputs NaN.</summary>
    private sealed class FaultyRuntime(bool nan) : IModelRuntime
    {
        public int OutputWidth => 1;

        public void Predict(ReadOnlySpan<float> features, int rows, Span<float> output)
        {
            if (!nan)
            {
                throw new InvalidOperationException("boom: runtime internals");
            }

            output[..rows].Fill(float.NaN);
        }

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task PredictAsync_PrincipalWithoutScope_Forbidden()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAndPromoteAsync(env);
        var other = new BulwarkPrincipal("key-2", "other", new HashSet<string> { "predict:churn" }, "api-key");

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(Call(V1Body, principal: other));

        Assert.Equal(403, result.Failure?.Status);
    }

    [Fact]
    public async Task PredictAsync_AfterPromotion_ServesNewVersionAndRetiredVersionRefused()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await RegisterAndPromoteAsync(env);
        var service = env.Services.GetRequiredService<PredictionService>();
        Assert.Equal(1, (await service.PredictAsync(Call(V1Body))).Value!.Version);

        await RegisterAndPromoteAsync(env);

        Assert.Equal(2, (await service.PredictAsync(Call(V1Body))).Value!.Version);
        Assert.Equal(ServingErrors.ModelNotReady, (await service.PredictAsync(Call(V1Body, version: 1))).Failure?.Code);
    }

    [Fact]
    public async Task PredictAsync_TamperedArtifact_503AndIntegrityAudit()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var version = await RegisterAndPromoteAsync(env);
        var path = env.Services.GetRequiredService<ArtifactStore>().FullPath(ModelRegistrar.ArtifactPurpose, ModelRegistrar.ObjectId(version.Id, "model.zip"));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^5] ^= 0x80;
        await File.WriteAllBytesAsync(path, bytes);

        var service = env.Services.GetRequiredService<PredictionService>();
        var result = await service.PredictAsync(Call(V1Body));
        var again = await service.PredictAsync(Call(V1Body));

        Assert.Equal(RegistryErrors.DigestMismatch, result.Failure?.Code);
        Assert.Equal(503, result.Failure!.Status);
        Assert.Equal(RegistryErrors.DigestMismatch, again.Failure?.Code);
        Assert.Single(await env.AuditAsync(AuditCodes.ModelIntegrityFailure));
        Assert.Empty(await env.AuditAsync(AuditCodes.PredictionServed));

        // Once the hold expires the version is verified (and refused, and audited) again.
        env.Time.Advance(LoadedModelCache.FailureHold + TimeSpan.FromSeconds(1));
        Assert.Equal(RegistryErrors.DigestMismatch, (await service.PredictAsync(Call(V1Body))).Failure?.Code);
        Assert.Equal(2, (await env.AuditAsync(AuditCodes.ModelIntegrityFailure)).Count);
    }

    [Fact]
    public async Task PredictAsync_CategoricalModel_OneHotEncodesAndServes()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        await using (var scope = env.Scope())
        {
            var nv = RegistryTestModels.NewVersion("fraud", RegistryTestModels.MixedZip, RegistryTestModels.MixedSchema());
            var registered = await scope.ServiceProvider.GetRequiredService<ModelRegistrar>().RegisterAsync(nv);
            await scope.ServiceProvider.GetRequiredService<ModelRegistry>().PromoteAsync("fraud", registered.Value!.Version, ModelStage.Production, "admin", null);
        }

        var result = await env.Services.GetRequiredService<PredictionService>().PredictAsync(
            Call("{\"instances\":[{\"a\":1,\"colour\":\"green\",\"b\":1},{\"a\":1,\"colour\":\"red\",\"b\":1}]}"));

        Assert.True(result.Succeeded, result.Failure?.Detail);
        Assert.All(result.Value.Predictions, p => Assert.Contains(p.Label, new[] { "yes", "no" }));
    }
}
