using System.Globalization;
using System.Text.Json;

namespace Bulwark.Core.Serving;

/// <summary>
/// Reads one feature value from the JSON token under the reader and enforces the schema. Every rejection names the
/// row and the feature (never the value: it may be sensitive and is not echoed).
/// </summary>
internal static class InputValues
{
    /// <summary>OIP v2 numeric datatypes; BYTES is the string type.</summary>
    public enum NumericType
    {
        Any,
        Fp32,
        Fp64,
        Int32,
        Int64,
    }

    public static Failure Fail(string code, int row, string feature, string what, int status = 400) =>
        new(code, status, $"Row {row}, feature '{feature}': {what}.",
            new Dictionary<string, object?> { ["row"] = row, ["feature"] = feature });

    public static Failure Request(string code, string detail, int status = 400) => new(code, status, detail);

    public static Failure? ReadNumeric(ref Utf8JsonReader reader, FeatureSpec spec, int row, NumericType type, out double value)
    {
        value = 0;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (type is NumericType.Int32 or NumericType.Int64)
                {
                    if (!reader.TryGetInt64(out var integer) || (type == NumericType.Int32 && integer is < int.MinValue or > int.MaxValue))
                    {
                        return Fail(ServingErrors.WrongType, row, spec.Name, $"expected an {(type == NumericType.Int32 ? "INT32" : "INT64")} integer");
                    }

                    value = integer;
                }
                else if (!reader.TryGetDouble(out value) || !double.IsFinite(value))
                {
                    // RFC 8259 numbers such as 1e309 overflow to ±infinity; no model input is infinite.
                    return Fail(ServingErrors.NonFiniteNumber, row, spec.Name, "the number is not finite");
                }

                // Every model input is a float32 vector (FeatureVectorizer), whatever the declared datatype: a finite
                // double beyond ±3.4028235e38 (e.g. 1e39) would become ±infinity there and make the model emit NaN.
                // It is the same fault as 1e309 one step later, so it gets the same code (non-finite-number), not
                // out-of-range, which names the schema's declared [min, max] bounds.
                if (!float.IsFinite((float)value))
                {
                    return Fail(ServingErrors.NonFiniteNumber, row, spec.Name, "the number does not fit the model's 32-bit float input");
                }

                break;
            case JsonTokenType.String when IsNonFiniteLiteral(ref reader):
                return Fail(ServingErrors.NonFiniteNumber, row, spec.Name, "NaN and Infinity are not accepted");
            default:
                return Fail(ServingErrors.WrongType, row, spec.Name, $"expected a number, got {Describe(reader.TokenType)}");
        }

        if ((spec.Min is { } min && value < min) || (spec.Max is { } max && value > max))
        {
            return Fail(ServingErrors.OutOfRange, row, spec.Name,
                string.Create(CultureInfo.InvariantCulture, $"the value is outside the accepted range [{spec.Min?.ToString("R", CultureInfo.InvariantCulture) ?? "-inf"}, {spec.Max?.ToString("R", CultureInfo.InvariantCulture) ?? "inf"}]"));
        }

        return null;
    }

    public static Failure? ReadCategorical(ref Utf8JsonReader reader, FeatureIndex index, int feature, int row, out string? value)
    {
        value = null;
        var name = index.Schema.Features[feature].Name;
        if (reader.TokenType != JsonTokenType.String)
        {
            return Fail(ServingErrors.WrongType, row, name, $"expected a string category, got {Describe(reader.TokenType)}");
        }

        value = index.FindCategory(feature, ref reader);
        return value is null ? Fail(ServingErrors.UnknownCategory, row, name, "the value is not one of the feature's categories") : null;
    }

    private static bool IsNonFiniteLiteral(ref Utf8JsonReader reader)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > 16)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[16];
        var text = buffer[..reader.CopyString(buffer)].Trim();
        return text.Equals("NaN", StringComparison.OrdinalIgnoreCase) || text.TrimStart("+-").Equals("Infinity", StringComparison.OrdinalIgnoreCase)
            || text.TrimStart("+-").Equals("inf", StringComparison.OrdinalIgnoreCase);
    }

    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Null => "null",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => "another JSON value",
    };
}
