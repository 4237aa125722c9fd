using System.Text.Json;

namespace Bulwark.Core.Serving;

/// <summary>
/// Parses and validates prediction bodies with <see cref="Utf8JsonReader"/> directly, not a serializer: the web
/// defaults accept 1e309 as infinity, "NaN", duplicate keys, unknown members and nulls (see STACK-NOTES), and each of
/// those must be a 400 with a stable code here, never a 500 or a silently wrong prediction.
/// V1: <c>{"instances":[{"feature": value, …}, …]}</c> exactly. OIP v2: see <see cref="OipV2RequestParser"/>.
/// </summary>
internal static class PredictionRequestParser
{
    /// <summary>Deepest container nesting accepted; any deeper document is refused before it is interpreted.</summary>
    public const int MaxDepth = 16;

    public static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = 64,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static Outcome<ParsedBatch> Parse(ReadOnlySpan<byte> body, PredictionProtocol protocol, FeatureIndex index, int maxBatch)
    {
        var shape = Prevalidate(body);
        if (shape is not null)
        {
            return shape;
        }

        try
        {
            return protocol == PredictionProtocol.OipV2 ? OipV2RequestParser.Parse(body, index, maxBatch) : ParseV1(body, index, maxBatch);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return InputValues.Request(ServingErrors.MalformedJson, "The body is not valid JSON (RFC 8259) or not UTF-8.");
        }
    }

    // One syntax-only pass: malformed JSON and excessive nesting are answered before any schema logic runs, so a
    // 100-deep document is "too deep" wherever the nesting sits.
    private static Failure? Prevalidate(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= MaxDepth)
                {
                    return InputValues.Request(ServingErrors.TooDeep, $"The body nests deeper than {MaxDepth} levels.");
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return InputValues.Request(ServingErrors.MalformedJson, "The body is not valid JSON (RFC 8259).");
        }
    }

    private static Outcome<ParsedBatch> ParseV1(ReadOnlySpan<byte> body, FeatureIndex index, int maxBatch)
    {
        var batch = new ParsedBatch(index.Count, index.HasCategorical, Math.Min(maxBatch, 16));
        var failure = ReadV1(body, index, maxBatch, batch);
        if (failure is not null)
        {
            batch.Dispose();
            return failure;
        }

        return batch;
    }

    private static Failure? ReadV1(ReadOnlySpan<byte> body, FeatureIndex index, int maxBatch, ParsedBatch batch)
    {
        var reader = new Utf8JsonReader(body, ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return InputValues.Request(ServingErrors.InputInvalid, "The body must be an object: {\"instances\": [ {feature: value, …} ]}.");
        }

        var seenInstances = false;
        Span<bool> seen = index.Count <= 1024 ? stackalloc bool[index.Count] : new bool[index.Count];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("instances"u8))
            {
                return InputValues.Request(ServingErrors.InputInvalid, $"Unknown member '{FeatureIndex.Echo(ref reader)}': a V1 body has only \"instances\".");
            }

            if (seenInstances)
            {
                return InputValues.Request(ServingErrors.InputInvalid, "\"instances\" appears twice.");
            }

            seenInstances = true;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return InputValues.Request(ServingErrors.InputInvalid, $"\"instances\" must be an array, not {InputValues.Describe(reader.TokenType)}.");
            }

            var rows = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (rows >= maxBatch)
                {
                    return InputValues.Request(ServingErrors.BatchTooLarge, $"At most {maxBatch} rows per request.", 413);
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return InputValues.Request(ServingErrors.InputInvalid, $"Row {rows} must be an object of feature values, not {InputValues.Describe(reader.TokenType)}.");
                }

                batch.EnsureRows(rows + 1);
                var failure = ReadRow(ref reader, index, batch, rows, seen);
                if (failure is not null)
                {
                    return failure;
                }

                rows++;
            }

            batch.Rows = rows;
        }

        if (!seenInstances)
        {
            return InputValues.Request(ServingErrors.InputInvalid, "The body must have \"instances\": [ {feature: value, …} ].");
        }

        return batch.Rows == 0 ? InputValues.Request(ServingErrors.BatchTooLarge, "The request has no rows.") : null;
    }

    private static Failure? ReadRow(ref Utf8JsonReader reader, FeatureIndex index, ParsedBatch batch, int row, scoped Span<bool> seen)
    {
        seen.Clear();
        var features = index.Schema.Features;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var f = index.FindFeature(ref reader);
            if (f < 0)
            {
                return InputValues.Fail(ServingErrors.UnknownFeature, row, FeatureIndex.Echo(ref reader), "not a feature of this model");
            }

            if (seen[f])
            {
                return InputValues.Fail(ServingErrors.DuplicateFeature, row, features[f].Name, "the feature appears twice");
            }

            seen[f] = true;
            reader.Read();
            Failure? failure;
            if (features[f].Kind == FeatureKind.Numeric)
            {
                failure = InputValues.ReadNumeric(ref reader, features[f], row, InputValues.NumericType.Any, out batch.Numeric(row, f));
            }
            else
            {
                failure = InputValues.ReadCategorical(ref reader, index, f, row, out batch.Categorical(row, f));
            }

            if (failure is not null)
            {
                return failure;
            }
        }

        var missing = seen.IndexOf(false);
        return missing >= 0 ? InputValues.Fail(ServingErrors.MissingFeature, row, features[missing].Name, "the feature is missing") : null;
    }
}
