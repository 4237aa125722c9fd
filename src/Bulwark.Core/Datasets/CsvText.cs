using System.Text;

namespace Bulwark.Core.Datasets;

/// <summary>Writes CSV that <see cref="Rfc4180Reader"/> reads back cell for cell (RFC 4180 §2.5–2.7 quoting, LF line ends).</summary>
internal static class CsvText
{
    public static void AppendField(StringBuilder builder, string field)
    {
        if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            builder.Append(field);
            return;
        }

        builder.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    public static void AppendRecord(StringBuilder builder, IReadOnlyList<string> fields)
    {
        for (var j = 0; j < fields.Count; j++)
        {
            if (j > 0)
            {
                builder.Append(',');
            }

            AppendField(builder, fields[j]);
        }

        builder.Append('\n');
    }
}
