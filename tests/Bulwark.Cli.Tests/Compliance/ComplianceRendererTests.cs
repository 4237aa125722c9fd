using Bulwark.Cli.Commands.Compliance;
using Bulwark.Client.Contracts;

namespace Bulwark.Cli.Tests.Compliance;

/// <summary>Report values are server data that an attacker may have chosen (logins, project ids, file names): they must render inert.</summary>
public sealed class ComplianceRendererTests
{
    private const string Hostile = "<script>alert(1)</script> | injected | [x](javascript:alert(1))\n# heading";

    private static ComplianceReportInfo Report() => new("bulwark-compliance-report/1", "pci", "PCI DSS v4.0", DateTimeOffset.UnixEpoch, "user:" + Hostile,
        DateTimeOffset.UnixEpoch, 0, 0, 1,
        [new ComplianceControlInfo("8.3/8.4", "MFA", "not met", "Privileged users without MFA: " + Hostile, new Dictionary<string, string> { ["privilegedWithoutMfa"] = Hostile })]);

    [Fact]
    public void Html_HostileValues_AreEncoded()
    {
        var html = ComplianceRenderer.Html(Report());
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_HostileValues_CannotBreakTheTableOrAddLinksOrHtml()
    {
        var md = ComplianceRenderer.Markdown(Report());
        Assert.DoesNotContain("<script>", md, StringComparison.Ordinal);
        Assert.DoesNotContain("](javascript", md, StringComparison.Ordinal);
        var row = Assert.Single(md.Split('\n'), l => l.StartsWith("| 8.3", StringComparison.Ordinal));

        // Exactly the table's five unescaped pipes: the injected ones are escaped.
        Assert.Equal(5, row.Replace("\\|", "", StringComparison.Ordinal).Count(c => c == '|'));
        Assert.DoesNotContain("\n# heading", md, StringComparison.Ordinal);
    }
}
