namespace Bulwark.Cli.Tests.Output;

/// <summary>Server-supplied text must reach the terminal without escape sequences, line breaks or bidi controls.</summary>
public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\")] // OSC 8 hyperlink
    [InlineData("\u001b[2J\u001b[Hcleared")] // CSI: clear screen
    [InlineData("ok\rerror: forged")] // carriage return overwrites the line
    [InlineData("ok\nerror: forged")]
    [InlineData("\u009b31mC1 CSI")]
    [InlineData("abc\u202Egnp.exe")] // right-to-left override (CVE-2021-42574)
    [InlineData("a\u2066b\u2069c\u200Fd\u200Be\uFEFF")] // isolates, RLM, zero-width space, BOM
    [InlineData("line\u2028separator\u2029")]
    [InlineData("lone \uD800 surrogate")]
    [InlineData("tag \U000E0041 character")]
    public void Sanitize_ControlOrFormatCharacters_AreReplaced(string hostile)
    {
        var clean = TerminalText.Sanitize(hostile);
        foreach (var rune in clean.EnumerateRunes())
        {
            var category = System.Text.Rune.GetUnicodeCategory(rune);
            Assert.False(category is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator
                or System.Globalization.UnicodeCategory.Surrogate, $"U+{rune.Value:X4} survived in '{clean}'");
        }

        Assert.Contains(TerminalText.Replacement, clean);
    }

    [Theory]
    [InlineData("model fraud v3 is now production")]
    [InlineData("Größe – naïve café, 日本語, emoji \U0001F600")]
    [InlineData("")]
    public void Sanitize_PrintableText_IsUnchanged(string text) =>
        Assert.Equal(text, TerminalText.Sanitize(text));

    [Fact]
    public void WriteError_ServerDetailWithEscapesAndBidi_PrintsOneCleanLine()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(output, error, interactive: false);
        console.WriteError("auth.\u001b[31mforbidden", "denied\n\u001b[32mOK\u001b[0m: all good \u202Etxt.exe");
        var written = error.ToString();
        Assert.Equal(1, written.Count(c => c == '\n'));
        Assert.EndsWith(Environment.NewLine, written, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', written);
        Assert.DoesNotContain('\u202E', written);
        Assert.StartsWith("error: auth.", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Cell_MarkupAndEscapes_AreEscapedAndReplaced() =>
        Assert.Equal("[[red]]x[[/]]\uFFFD[[2J", TerminalText.Cell("[red]x[/]\u001b[2J"));
}
