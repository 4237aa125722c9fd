using System.Text;
using Bulwark.Core.Serving;
using Bulwark.Core.Tests.Registry;

namespace Bulwark.Core.Tests.Serving;

public sealed class PredictionRequestParserTests
{
    private static readonly FeatureIndex Numeric = new(RegistryTestModels.NumericSchema());
    private static readonly FeatureIndex Mixed = new(RegistryTestModels.MixedSchema());

    private const string Row = "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}";

    private static Failure? Error(string json, PredictionProtocol protocol = PredictionProtocol.V1, FeatureIndex? index = null, int maxBatch = 1000)
    {
        var result = PredictionRequestParser.Parse(Encoding.UTF8.GetBytes(json), protocol, index ?? Numeric, maxBatch);
        result.Value?.Dispose();
        return result.Failure;
    }

    [Fact]
    public void Parse_ValidV1_ReadsRowsInSchemaOrder()
    {
        var result = PredictionRequestParser.Parse(Encoding.UTF8.GetBytes($"{{\"instances\":[{Row},{{\"d\":0.5,\"c\":0,\"b\":10,\"a\":1e-3}}]}}"), PredictionProtocol.V1, Numeric, 1000);

        Assert.True(result.Succeeded, result.Failure?.Detail);
        using var batch = result.Value;
        Assert.Equal(2, batch.Rows);
        Assert.Equal([1, 2, 3, 4], batch.NumericRow(0).ToArray());
        Assert.Equal([0.001, 10, 0, 0.5], batch.NumericRow(1).ToArray());
    }

    [Fact]
    public void Parse_ValidV1Mixed_ReadsCategory()
    {
        var result = PredictionRequestParser.Parse("{\"instances\":[{\"a\":1,\"colour\":\"blue\",\"b\":2}]}"u8, PredictionProtocol.V1, Mixed, 10);
        Assert.True(result.Succeeded, result.Failure?.Detail);
        using var batch = result.Value;
        Assert.Equal("blue", batch.CategoricalRow(0)[1]);
    }

    [Theory]
    [InlineData("1e309", ServingErrors.NonFiniteNumber)]
    [InlineData("-1e309", ServingErrors.NonFiniteNumber)]
    [InlineData("\"NaN\"", ServingErrors.NonFiniteNumber)]
    [InlineData("\"Infinity\"", ServingErrors.NonFiniteNumber)]
    [InlineData("\"-Infinity\"", ServingErrors.NonFiniteNumber)]
    [InlineData("null", ServingErrors.WrongType)]
    [InlineData("{}", ServingErrors.WrongType)]
    [InlineData("[]", ServingErrors.WrongType)]
    [InlineData("[1]", ServingErrors.WrongType)]
    [InlineData("\"5\"", ServingErrors.WrongType)]
    [InlineData("true", ServingErrors.WrongType)]
    [InlineData("10.5", ServingErrors.OutOfRange)]
    [InlineData("-0.1", ServingErrors.OutOfRange)]
    public void Parse_BadNumericValue_StableCodeNamingRowAndFeature(string value, string code)
    {
        var failure = Error($"{{\"instances\":[{Row},{Row},{{\"a\":1,\"b\":{value},\"c\":3,\"d\":4}}]}}");

        Assert.Equal(code, failure?.Code);
        Assert.Equal(400, failure!.Status);
        Assert.Contains("Row 2", failure.Detail, StringComparison.Ordinal);
        Assert.Contains("'b'", failure.Detail, StringComparison.Ordinal);
        Assert.Equal(2, failure.Extensions!["row"]);
    }

    [Theory]
    [InlineData("{\"a\":1,\"a\":1,\"b\":2,\"c\":3,\"d\":4}", ServingErrors.DuplicateFeature)]
    [InlineData("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}", ServingErrors.UnknownFeature)]
    [InlineData("{\"a\":1,\"b\":2,\"c\":3,\"D\":4}", ServingErrors.UnknownFeature)]
    [InlineData("{\"a\":1,\"b\":2,\"c\":3}", ServingErrors.MissingFeature)]
    [InlineData("{}", ServingErrors.MissingFeature)]
    [InlineData("{\"a\":1,\"b\":2,\"c\":3,\"d\\u0000\":4}", ServingErrors.UnknownFeature)]
    public void Parse_BadRowShape_StableCode(string row, string code)
    {
        Assert.Equal(code, Error($"{{\"instances\":[{row}]}}")?.Code);
    }

    [Theory]
    [InlineData("{\"a\":1,\"colour\":\"purple\",\"b\":2}", ServingErrors.UnknownCategory)]
    [InlineData("{\"a\":1,\"colour\":\"Blue\",\"b\":2}", ServingErrors.UnknownCategory)]
    [InlineData("{\"a\":1,\"colour\":3,\"b\":2}", ServingErrors.WrongType)]
    [InlineData("{\"a\":1,\"colour\":null,\"b\":2}", ServingErrors.WrongType)]
    public void Parse_BadCategory_StableCode(string row, string code)
    {
        Assert.Equal(code, Error($"{{\"instances\":[{row}]}}", index: Mixed)?.Code);
    }

    [Theory]
    [InlineData("", ServingErrors.MalformedJson)]
    [InlineData("{", ServingErrors.MalformedJson)]
    [InlineData("{\"instances\":[] /* hi */}", ServingErrors.MalformedJson)]
    [InlineData("{\"instances\":[{\"a\":1,}]}", ServingErrors.MalformedJson)]
    [InlineData("{\"instances\":[]} {}", ServingErrors.MalformedJson)]
    [InlineData("{\"instances\":[{\"a\":01}]}", ServingErrors.MalformedJson)]
    [InlineData("{\"instances\":[{\"a\":NaN}]}", ServingErrors.MalformedJson)]
    [InlineData("{}", ServingErrors.InputInvalid)]
    [InlineData("[]", ServingErrors.InputInvalid)]
    [InlineData("{\"instances\":{}}", ServingErrors.InputInvalid)]
    [InlineData("{\"instances\":null}", ServingErrors.InputInvalid)]
    [InlineData("{\"instances\":[1]}", ServingErrors.InputInvalid)]
    [InlineData("{\"instances\":[],\"instances\":[]}", ServingErrors.InputInvalid)]
    [InlineData("{\"inputs\":[]}", ServingErrors.InputInvalid)]
    [InlineData("{\"instances\":[]}", ServingErrors.BatchTooLarge)]
    public void Parse_MalformedV1Envelope_StableCode(string json, string code)
    {
        Assert.Equal(code, Error(json)?.Code);
    }

    [Fact]
    public void Parse_InvalidUtf8_MalformedNotException()
    {
        var body = "{\"instances\":[{\"a\":1,\"b\":2,\"c\":3,\"d"u8.ToArray().Concat(new byte[] { 0xff, 0xfe }).Concat("\":4}]}"u8.ToArray()).ToArray();
        var result = PredictionRequestParser.Parse(body, PredictionProtocol.V1, Numeric, 10);
        Assert.False(result.Succeeded);
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(100, true)]
    [InlineData(17, false)]
    public void Parse_DeepNesting_TooDeep(int depth, bool insideValue)
    {
        var nested = new string('[', depth) + new string(']', depth);
        var json = insideValue ? $"{{\"instances\":[{{\"a\":{nested}}}]}}" : nested;

        Assert.Equal(ServingErrors.TooDeep, Error(json)?.Code);
    }

    [Fact]
    public void Parse_TenThousandRows_BatchTooLarge413()
    {
        var json = "{\"instances\":[" + string.Join(",", Enumerable.Repeat(Row, 10_000)) + "]}";
        var failure = Error(json);
        Assert.Equal(ServingErrors.BatchTooLarge, failure?.Code);
        Assert.Equal(413, failure!.Status);
    }

    [Fact]
    public void Parse_OipTensorFlatAndNested_ReadsRows()
    {
        foreach (var data in new[] { "[1,2,3,4,5,6,7,8]", "[[1,2,3,4],[5,6,7,8]]" })
        {
            var json = $"{{\"id\":\"r1\",\"inputs\":[{{\"name\":\"input-0\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":{data}}}],\"outputs\":[{{\"name\":\"label\"}}],\"parameters\":{{}}}}";
            var result = PredictionRequestParser.Parse(Encoding.UTF8.GetBytes(json), PredictionProtocol.OipV2, Numeric, 10);
            Assert.True(result.Succeeded, result.Failure?.Detail);
            using var batch = result.Value;
            Assert.Equal(2, batch.Rows);
            Assert.Equal("r1", batch.Id);
            Assert.Equal([5, 6, 7, 8], batch.NumericRow(1).ToArray());
        }
    }

    [Fact]
    public void Parse_OipPerFeature_ReadsCategoricalBytes()
    {
        const string json = "{\"inputs\":[{\"name\":\"colour\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"red\",\"blue\"]}," +
            "{\"name\":\"a\",\"shape\":[2,1],\"datatype\":\"INT64\",\"data\":[[1],[2]]},{\"name\":\"b\",\"shape\":[2],\"datatype\":\"FP64\",\"data\":[3,4]}]}";
        var result = PredictionRequestParser.Parse(Encoding.UTF8.GetBytes(json), PredictionProtocol.OipV2, Mixed, 10);

        Assert.True(result.Succeeded, result.Failure?.Detail);
        using var batch = result.Value;
        Assert.Equal("blue", batch.CategoricalRow(1)[1]);
        Assert.Equal(2, batch.NumericRow(1)[0]);
        Assert.Equal(4, batch.NumericRow(1)[2]);
    }

    [Theory]
    [InlineData("[2,4]", "FP32", "[1,2,3,4,5,6,7]", ServingErrors.ShapeMismatch)]
    [InlineData("[2,4]", "FP32", "[1,2,3,4,5,6,7,8,9]", ServingErrors.ShapeMismatch)]
    [InlineData("[2,3]", "FP32", "[1,2,3,4,5,6]", ServingErrors.ShapeMismatch)]
    [InlineData("[8]", "FP32", "[1,2,3,4,5,6,7,8]", ServingErrors.ShapeMismatch)]
    [InlineData("[2,-4]", "FP32", "[1,2,3,4,5,6,7,8]", ServingErrors.ShapeMismatch)]
    [InlineData("[2,4]", "BYTES", "[1,2,3,4,5,6,7,8]", ServingErrors.WrongType)]
    [InlineData("[2,4]", "FP16", "[1,2,3,4,5,6,7,8]", ServingErrors.InputInvalid)]
    [InlineData("[2,4]", "INT64", "[1,2,3,4,5,6,7,8.5]", ServingErrors.WrongType)]
    [InlineData("[2,4]", "FP32", "[1,2,3,4,5,6,7,\"NaN\"]", ServingErrors.NonFiniteNumber)]
    [InlineData("[2,4]", "FP32", "[1,2,3,4,5,6,7,1e39]", ServingErrors.NonFiniteNumber)]
    [InlineData("[2,4]", "FP64", "[1,2,3,4,5,6,7,1e309]", ServingErrors.NonFiniteNumber)]
    [InlineData("[2,4]", "FP64", "[1,2,3,4,5,6,7,null]", ServingErrors.WrongType)]
    [InlineData("[2,4]", "FP64", "[1,2,3,4,5,6,7,11]", ServingErrors.OutOfRange)]
    [InlineData("[0,4]", "FP64", "[]", ServingErrors.BatchTooLarge)]
    public void Parse_OipTensorMismatch_StableCode(string shape, string datatype, string data, string code)
    {
        var json = $"{{\"inputs\":[{{\"name\":\"x\",\"shape\":{shape},\"datatype\":\"{datatype}\",\"data\":{data}}}]}}";
        Assert.Equal(code, Error(json, PredictionProtocol.OipV2)?.Code);
    }

    private static FeatureIndex Unranged(int features) => new(new FeatureSchema(
        [.. Enumerable.Range(0, features).Select(i => new FeatureSpec("f" + i, FeatureKind.Numeric))], new OutputSpec("binary", ["no", "yes"])));

    [Theory]
    [InlineData("1e39", false)]
    [InlineData("-1e39", false)]
    [InlineData("3.5e38", false)]
    [InlineData("1e39", true)]
    [InlineData("-1e39", true)]
    public void Parse_FiniteDoubleBeyondFloat32WithoutRange_NonFiniteNumber(string value, bool oip)
    {
        var protocol = oip ? PredictionProtocol.OipV2 : PredictionProtocol.V1;
        // No declared range, so only the float32 check stands between this value and an infinite model input.
        var json = protocol == PredictionProtocol.V1
            ? $"{{\"instances\":[{{\"f0\":1,\"f1\":{value}}}]}}"
            : $"{{\"inputs\":[{{\"name\":\"x\",\"shape\":[1,2],\"datatype\":\"FP64\",\"data\":[1,{value}]}}]}}";

        var failure = Error(json, protocol, Unranged(2));

        Assert.Equal(ServingErrors.NonFiniteNumber, failure?.Code);
        Assert.Equal(400, failure!.Status);
        Assert.Contains("'f1'", failure.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Float32MaxWithoutRange_Accepted()
    {
        var result = PredictionRequestParser.Parse("{\"instances\":[{\"f0\":3.4028234e38,\"f1\":-3.4028234e38}]}"u8, PredictionProtocol.V1, Unranged(2), 10);
        Assert.True(result.Succeeded, result.Failure?.Detail);
        result.Value.Dispose();
    }

    [Fact]
    public void Parse_OipTensorShapeLargerThanBody_ShapeMismatchBeforeReadingData()
    {
        // 30 000 declared values in a body of a few dozen bytes. The one value is "NaN": reaching it would mean the
        // parser allocated for the declared shape and started reading, so a non-finite error fails this test.
        var json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[1000,30],\"datatype\":\"FP32\",\"data\":[\"NaN\"]}]}";

        var failure = Error(json, PredictionProtocol.OipV2, Unranged(30), maxBatch: 1000);

        Assert.Equal(ServingErrors.ShapeMismatch, failure?.Code);
        Assert.Equal(400, failure!.Status);
    }

    [Fact]
    public void Parse_OipPerFeatureShapeLargerThanData_ShapeMismatchBeforeReadingData()
    {
        var inputs = string.Join(',', Enumerable.Range(0, 2).Select(i => $"{{\"name\":\"f{i}\",\"shape\":[1000],\"datatype\":\"FP32\",\"data\":[\"NaN\"]}}"));

        var failure = Error($"{{\"inputs\":[{inputs}]}}", PredictionProtocol.OipV2, Unranged(2), maxBatch: 1000);

        Assert.Equal(ServingErrors.ShapeMismatch, failure?.Code);
    }

    [Fact]
    public void Parse_OipTensorTooManyRows_413BeforeReadingData()
    {
        var failure = Error("{\"inputs\":[{\"name\":\"x\",\"shape\":[10000,4],\"datatype\":\"FP32\",\"data\":[1]}]}", PredictionProtocol.OipV2);
        Assert.Equal(ServingErrors.BatchTooLarge, failure?.Code);
        Assert.Equal(413, failure!.Status);
    }

    [Theory]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]},{\"name\":\"zzz\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}", ServingErrors.UnknownFeature)]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]},{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}", ServingErrors.DuplicateFeature)]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]},{\"name\":\"b\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}", ServingErrors.MissingFeature)]
    [InlineData("{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]},{\"name\":\"b\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1,2]}]}", ServingErrors.ShapeMismatch)]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4],\"data\":[1,2,3,4]}]}", ServingErrors.InputInvalid)]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4],\"extra\":1}]}", ServingErrors.InputInvalid)]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\"}]}", ServingErrors.InputInvalid)]
    [InlineData("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"extra\":1}", ServingErrors.InputInvalid)]
    [InlineData("{\"inputs\":{}}", ServingErrors.InputInvalid)]
    [InlineData("{\"instances\":[]}", ServingErrors.InputInvalid)]
    public void Parse_OipEnvelopeProblems_StableCode(string json, string code)
    {
        Assert.Equal(code, Error(json, PredictionProtocol.OipV2)?.Code);
    }

    [Fact]
    public void Parse_OipSingleTensorForCategoricalModel_InputInvalid()
    {
        Assert.Equal(ServingErrors.InputInvalid,
            Error("{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}", PredictionProtocol.OipV2, Mixed)?.Code);
    }

    [Fact]
    public void Parse_OipCategoricalSentAsNumber_WrongType()
    {
        const string json = "{\"inputs\":[{\"name\":\"colour\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}," +
            "{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]},{\"name\":\"b\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}";
        Assert.Equal(ServingErrors.WrongType, Error(json, PredictionProtocol.OipV2, Mixed)?.Code);
    }
}
