using System.Text.Json;

namespace Bulwark.Core.Serving;

/// <summary>
/// Open Inference Protocol v2 request bodies: <c>{"id"?, "inputs": [{"name", "shape", "datatype", "data", "parameters"?}],
/// "outputs"?, "parameters"?}</c>. Two layouts are accepted: one tensor input of shape [N, F] (numeric features only,
/// FP32/FP64/INT32/INT64, data flat or nested in row-major order), or one input per feature named like the feature, of
/// shape [N] or [N, 1] (BYTES for categorical features). Shape × data length must agree exactly.
/// </summary>
internal static class OipV2RequestParser
{
    private const int MaxIdLength = 256;

    private sealed class Input
    {
        public string? Name { get; set; }
        public List<long>? Shape { get; set; }
        public string? Datatype { get; set; }
        public int DataStart { get; set; } = -1;
        public int DataLength { get; set; }
    }

    public static Outcome<ParsedBatch> Parse(ReadOnlySpan<byte> body, FeatureIndex index, int maxBatch)
    {
        var inputs = new List<Input>();
        var envelope = ReadEnvelope(body, inputs, out var id);
        if (envelope is not null)
        {
            return envelope;
        }

        var allFeatures = inputs.All(i => index.Schema.Features.Any(f => f.Name == i.Name));
        if (!allFeatures && inputs.Count == 1)
        {
            return ReadTensor(body, inputs[0], index, maxBatch, id);
        }

        if (!allFeatures)
        {
            var unknown = inputs.First(i => index.Schema.Features.All(f => f.Name != i.Name));
            return Named(ServingErrors.UnknownFeature, unknown.Name!, "is not a feature of this model; send one input per feature or one [N, F] tensor");
        }

        return ReadPerFeature(body, inputs, index, maxBatch, id);
    }

    private static Failure Named(string code, string feature, string what) =>
        new(code, 400, $"Input '{feature}' {what}.", new Dictionary<string, object?> { ["feature"] = feature });

    private static Failure? ReadEnvelope(ReadOnlySpan<byte> body, List<Input> inputs, out string? id)
    {
        id = null;
        var reader = new Utf8JsonReader(body, PredictionRequestParser.ReaderOptions);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return InputValues.Request(ServingErrors.InputInvalid, "The body must be an OIP v2 inference request object.");
        }

        var members = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!members.Add(name))
            {
                return InputValues.Request(ServingErrors.InputInvalid, $"Member '{Short(name)}' appears twice.");
            }

            reader.Read();
            switch (name)
            {
                case "id" when reader.TokenType == JsonTokenType.String:
                    id = reader.GetString()!;
                    if (id.Length > MaxIdLength)
                    {
                        return InputValues.Request(ServingErrors.InputInvalid, $"The request id is longer than {MaxIdLength} characters.");
                    }

                    break;
                case "inputs" when reader.TokenType == JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        var input = new Input();
                        var failure = ReadInput(ref reader, input, inputs.Count);
                        if (failure is not null)
                        {
                            return failure;
                        }

                        inputs.Add(input);
                    }

                    break;
                case "outputs" when reader.TokenType == JsonTokenType.StartArray:
                case "parameters" when reader.TokenType == JsonTokenType.StartObject:
                    // Output selection and request parameters do not change what Bulwark returns.
                    reader.Skip();
                    break;
                default:
                    return InputValues.Request(ServingErrors.InputInvalid, $"Unexpected member '{Short(name)}' or wrong JSON type for it.");
            }
        }

        return inputs.Count == 0 ? InputValues.Request(ServingErrors.InputInvalid, "The request has no inputs.") : null;
    }

    private static Failure? ReadInput(ref Utf8JsonReader reader, Input input, int position)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return InputValues.Request(ServingErrors.InputInvalid, $"Input {position} must be an object.");
        }

        var members = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!members.Add(name))
            {
                return InputValues.Request(ServingErrors.InputInvalid, $"Input {position}: member '{Short(name)}' appears twice.");
            }

            reader.Read();
            switch (name)
            {
                case "name" when reader.TokenType == JsonTokenType.String:
                    input.Name = reader.GetString();
                    break;
                case "datatype" when reader.TokenType == JsonTokenType.String:
                    input.Datatype = reader.GetString();
                    break;
                case "shape" when reader.TokenType == JsonTokenType.StartArray:
                    input.Shape = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
                        {
                            return InputValues.Request(ServingErrors.ShapeMismatch, $"Input {position}: shape must be an array of non-negative integers.");
                        }

                        input.Shape.Add(dim);
                    }

                    break;
                case "data" when reader.TokenType == JsonTokenType.StartArray:
                    input.DataStart = checked((int)reader.TokenStartIndex);
                    reader.Skip();
                    input.DataLength = checked((int)reader.BytesConsumed) - input.DataStart;
                    break;
                case "parameters" when reader.TokenType == JsonTokenType.StartObject:
                    reader.Skip();
                    break;
                default:
                    return InputValues.Request(ServingErrors.InputInvalid, $"Input {position}: unexpected member '{Short(name)}' or wrong JSON type for it.");
            }
        }

        return input.Name is null || input.Shape is null || input.Datatype is null || input.DataStart < 0
            ? InputValues.Request(ServingErrors.InputInvalid, $"Input {position} needs name, shape, datatype and data.")
            : null;
    }

    private static Outcome<ParsedBatch> ReadTensor(ReadOnlySpan<byte> body, Input input, FeatureIndex index, int maxBatch, string? id)
    {
        var f = index.Count;
        if (index.HasCategorical)
        {
            return InputValues.Request(ServingErrors.InputInvalid, "This model has categorical features: send one input per feature.");
        }

        if (input.Shape!.Count != 2 || input.Shape[1] != f)
        {
            return Named(ServingErrors.ShapeMismatch, input.Name!, $"must have shape [N, {f}]");
        }

        var type = NumericType(input.Datatype!);
        if (type is null)
        {
            return Named(input.Datatype == "BYTES" ? ServingErrors.WrongType : ServingErrors.InputInvalid, input.Name!, "must be FP32, FP64, INT32 or INT64");
        }

        var rows = RowCount(input.Shape[0], maxBatch);
        if (!rows.Succeeded)
        {
            return rows.Failure;
        }

        var expected = (long)rows.Value * f;
        var room = RoomFor(input);
        if (expected > room)
        {
            return Named(ServingErrors.ShapeMismatch, input.Name!, $"declares {expected} values but its data holds at most {room}");
        }

        var batch = new ParsedBatch(f, false, rows.Value) { Rows = rows.Value, Id = id };
        var reader = new Utf8JsonReader(body.Slice(input.DataStart, input.DataLength), PredictionRequestParser.ReaderOptions);
        var count = 0L;
        while (NextValue(ref reader))
        {
            if (count >= expected)
            {
                batch.Dispose();
                return Named(ServingErrors.ShapeMismatch, input.Name!, $"has more than the {expected} values its shape declares");
            }

            var row = (int)(count / f);
            var feature = (int)(count % f);
            var failure = InputValues.ReadNumeric(ref reader, index.Schema.Features[feature], row, type.Value, out batch.Numeric(row, feature));
            if (failure is not null)
            {
                batch.Dispose();
                return failure;
            }

            count++;
        }

        if (count != expected)
        {
            batch.Dispose();
            return Named(ServingErrors.ShapeMismatch, input.Name!, $"has {count} values but its shape declares {expected}");
        }

        return batch;
    }

    private static Outcome<ParsedBatch> ReadPerFeature(ReadOnlySpan<byte> body, List<Input> inputs, FeatureIndex index, int maxBatch, string? id)
    {
        var byFeature = new Input?[index.Count];
        long? n = null;
        foreach (var input in inputs)
        {
            var f = index.Schema.Features.ToList().FindIndex(x => x.Name == input.Name);
            if (byFeature[f] is not null)
            {
                return Named(ServingErrors.DuplicateFeature, input.Name!, "appears twice");
            }

            byFeature[f] = input;
            if (input.Shape!.Count is not (1 or 2) || (input.Shape.Count == 2 && input.Shape[1] != 1) || (n is not null && input.Shape[0] != n))
            {
                return Named(ServingErrors.ShapeMismatch, input.Name!, "must have shape [N] or [N, 1], with the same N for every input");
            }

            n = input.Shape[0];
            var categorical = index.Schema.Features[f].Kind == FeatureKind.Categorical;
            if (categorical ? input.Datatype != "BYTES" : NumericType(input.Datatype!) is null)
            {
                return Named(ServingErrors.WrongType, input.Name!, categorical ? "is categorical and must be BYTES" : "is numeric and must be FP32, FP64, INT32 or INT64");
            }
        }

        var missing = Array.IndexOf(byFeature, null);
        if (missing >= 0)
        {
            return Named(ServingErrors.MissingFeature, index.Schema.Features[missing].Name, "is missing");
        }

        var rows = RowCount(n!.Value, maxBatch);
        if (!rows.Succeeded)
        {
            return rows.Failure;
        }

        foreach (var input in byFeature)
        {
            var room = RoomFor(input!);
            if (rows.Value > room)
            {
                return Named(ServingErrors.ShapeMismatch, input!.Name!, $"declares {rows.Value} values but its data holds at most {room}");
            }
        }

        var batch = new ParsedBatch(index.Count, index.HasCategorical, rows.Value) { Rows = rows.Value, Id = id };
        for (var f = 0; f < index.Count; f++)
        {
            var failure = ReadColumn(body, byFeature[f]!, index, f, batch);
            if (failure is not null)
            {
                batch.Dispose();
                return failure;
            }
        }

        return batch;
    }

    private static Failure? ReadColumn(ReadOnlySpan<byte> body, Input input, FeatureIndex index, int f, ParsedBatch batch)
    {
        var spec = index.Schema.Features[f];
        var type = spec.Kind == FeatureKind.Numeric ? NumericType(input.Datatype!)!.Value : default;
        var reader = new Utf8JsonReader(body.Slice(input.DataStart, input.DataLength), PredictionRequestParser.ReaderOptions);
        var row = 0;
        while (NextValue(ref reader))
        {
            if (row >= batch.Rows)
            {
                return Named(ServingErrors.ShapeMismatch, spec.Name, $"has more than the {batch.Rows} values its shape declares");
            }

            var failure = spec.Kind == FeatureKind.Numeric
                ? InputValues.ReadNumeric(ref reader, spec, row, type, out batch.Numeric(row, f))
                : InputValues.ReadCategorical(ref reader, index, f, row, out batch.Categorical(row, f));
            if (failure is not null)
            {
                return failure;
            }

            row++;
        }

        return row == batch.Rows ? null : Named(ServingErrors.ShapeMismatch, spec.Name, $"has {row} values but its shape declares {batch.Rows}");
    }

    // The most values the input's "data" array can hold: n values need at least n one-byte tokens, n - 1 commas and
    // the two brackets (2n + 1 bytes). Checked before the batch buffers are rented, so a small body declaring a huge
    // shape is refused without allocating for it.
    private static long RoomFor(Input input) => Math.Max(0, (input.DataLength - 1) / 2);

    private static Outcome<int> RowCount(long n, int maxBatch) => n switch
    {
        0 => InputValues.Request(ServingErrors.BatchTooLarge, "The request has no rows."),
        _ when n > maxBatch => InputValues.Request(ServingErrors.BatchTooLarge, $"At most {maxBatch} rows per request.", 413),
        _ => (int)n,
    };

    // Flattens nested arrays: row-major data may be sent flat or as nested rows.
    private static bool NextValue(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.EndArray))
            {
                return true;
            }
        }

        return false;
    }

    private static InputValues.NumericType? NumericType(string datatype) => datatype switch
    {
        "FP32" => InputValues.NumericType.Fp32,
        "FP64" => InputValues.NumericType.Fp64,
        "INT32" => InputValues.NumericType.Int32,
        "INT64" => InputValues.NumericType.Int64,
        _ => null,
    };

    private static string Short(string value) => new([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}
