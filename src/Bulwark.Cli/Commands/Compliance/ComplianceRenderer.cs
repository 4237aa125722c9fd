using System.Globalization;
using System.Net;
using System.Text;
using Bulwark.Client.Contracts;

namespace Bulwark.Cli.Commands.Compliance;

/// <summary>
/// Renders a compliance report as Markdown or HTML. Every value comes from the server and may hold text an attacker
/// chose (a login, a project id, a file name), so HTML is encoded and Markdown is escaped and kept to one line per cell.
/// </summary>
internal static class ComplianceRenderer
{
    public static string Markdown(ComplianceReportInfo report)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Compliance evidence: {Md(report.FrameworkTitle)}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Generated {report.GeneratedAt:u} by {Md(report.GeneratedBy)}; period from {report.PeriodStart:u}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"**{report.Met} met, {report.Partial} partial, {report.NotMet} not met.**");
        md.AppendLine();
        md.AppendLine("| Control | Title | Status | Reason |");
        md.AppendLine("|---|---|---|---|");
        foreach (var c in report.Controls)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Md(c.Id)} | {Md(c.Title)} | {Md(c.Status.ToUpperInvariant())} | {Md(c.Reason)} |");
        }

        foreach (var c in report.Controls)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {Md(c.Id)} {Md(c.Title)}: {Md(c.Status)}");
            md.AppendLine();
            md.AppendLine(Md(c.Reason));
            md.AppendLine();
            foreach (var (key, value) in c.Evidence)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {Md(key)}: {Md(value)}");
            }
        }

        return md.ToString();
    }

    public static string Html(ComplianceReportInfo report)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        html.AppendLine(CultureInfo.InvariantCulture, $"<title>Compliance evidence: {H(report.FrameworkTitle)}</title>");
        html.AppendLine("<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:4px;vertical-align:top}.met{color:#060}.partial{color:#a60}.not-met{color:#b00}</style>");
        html.AppendLine("</head><body>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<h1>Compliance evidence: {H(report.FrameworkTitle)}</h1>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p>Generated {H(report.GeneratedAt.ToString("u", CultureInfo.InvariantCulture))} by {H(report.GeneratedBy)}. <strong>{report.Met} met, {report.Partial} partial, {report.NotMet} not met.</strong></p>");
        html.AppendLine("<table><thead><tr><th>Control</th><th>Title</th><th>Status</th><th>Reason</th><th>Evidence</th></tr></thead><tbody>");
        foreach (var c in report.Controls)
        {
            var css = c.Status switch { "met" => "met", "partial" => "partial", _ => "not-met" };
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{H(c.Id)}</td><td>{H(c.Title)}</td><td class=\"{css}\">{H(c.Status)}</td><td>{H(c.Reason)}</td><td><ul>");
            foreach (var (key, value) in c.Evidence)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{H(key)}: {H(value)}</li>");
            }

            html.AppendLine("</ul></td></tr>");
        }

        html.AppendLine("</tbody></table></body></html>");
        return html.ToString();
    }

    private static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>One line, with Markdown's active characters escaped and raw HTML neutralised.</summary>
    internal static string Md(string? text)
    {
        var builder = new StringBuilder((text ?? "").Length);
        foreach (var ch in text ?? "")
        {
            if (char.IsControl(ch))
            {
                builder.Append(' ');
            }
            else if (ch is '\\' or '`' or '*' or '_' or '[' or ']' or '(' or ')' or '#' or '|' or '!' or '~')
            {
                builder.Append('\\').Append(ch);
            }
            else if (ch == '<')
            {
                builder.Append("&lt;");
            }
            else if (ch == '>')
            {
                builder.Append("&gt;");
            }
            else if (ch == '&')
            {
                builder.Append("&amp;");
            }
            else
            {
                builder.Append(ch);
            }
        }

        return builder.ToString();
    }
}
