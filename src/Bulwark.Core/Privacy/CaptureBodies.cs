using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bulwark.Core.Privacy;

/// <summary>
/// Rewrites the cells of named features in a captured request body, in both request shapes: <c>v1</c>
/// (<c>{"instances":[{feature: value}]}</c>) and OIP v2 with one input per feature. The capture writer uses it to
/// pseudonymise personal values before sealing; the monitor uses it to put valid placeholders back so the version's own
/// parser reads the rest of the row. Anything it cannot rewrite with certainty (an OIP [N, F] tensor, a body that does
/// not parse) returns null, and the caller keeps no body at all.
/// </summary>
internal static class CaptureBodies
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    /// <param name="replace">Feature name and original cell → the cell to store.</param>
    /// <param name="datatype">OIP v2: feature name → the datatype the rewritten input declares.</param>
    /// <param name="rewritten">The features that had at least one cell rewritten.</param>
    public static byte[]? Rewrite(
        ReadOnlySpan<byte> body, string protocol, IReadOnlySet<string> features, Func<string, JsonNode?, JsonNode?> replace, Func<string, string> datatype,
        out IReadOnlyList<string> rewritten)
    {
        var touched = new SortedSet<string>(StringComparer.Ordinal);
        rewritten = [];
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, NodeOptions, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return null;
        }

        if (root is not JsonObject envelope)
        {
            return null;
        }

        if (protocol == "oip-v2")
        {
            if (envelope["inputs"] is not JsonArray inputs)
            {
                return null;
            }

            foreach (var input in inputs)
            {
                if (input is not JsonObject tensor || tensor["name"]?.GetValueKind() != JsonValueKind.String)
                {
                    return null;
                }

                var name = tensor["name"]!.GetValue<string>();
                if (!features.Contains(name))
                {
                    continue;
                }

                if (tensor["data"] is not JsonArray data)
                {
                    return null;
                }

                ReplaceLeaves(data, name, replace);
                tensor["datatype"] = datatype(name);
                touched.Add(name);
            }

            // A single [N, F] tensor names no feature: personal values in it cannot be told from the others.
            if (inputs.Count == 1 && touched.Count == 0 && inputs[0] is JsonObject only && !features.Contains(only["name"]?.GetValue<string>() ?? ""))
            {
                return features.Count == 0 ? body.ToArray() : null;
            }
        }
        else
        {
            if (envelope["instances"] is not JsonArray instances)
            {
                return null;
            }

            foreach (var instance in instances)
            {
                if (instance is not JsonObject row)
                {
                    return null;
                }

                foreach (var name in row.Select(p => p.Key).Where(features.Contains).ToList())
                {
                    row[name] = replace(name, row[name]);
                    touched.Add(name);
                }
            }
        }

        rewritten = [.. touched];
        return JsonSerializer.SerializeToUtf8Bytes(envelope);
    }

    private static void ReplaceLeaves(JsonArray array, string feature, Func<string, JsonNode?, JsonNode?> replace)
    {
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonArray nested)
            {
                ReplaceLeaves(nested, feature, replace);
            }
            else
            {
                var original = array[i];
                array[i] = null; // detach before handing the node on
                array[i] = replace(feature, original);
            }
        }
    }

    /// <summary>The text of a cell as it is pseudonymised: a string's value, a number's JSON text.</summary>
    public static string TextOf(JsonNode? cell) => cell switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => cell.ToJsonString(),
    };
}
