using Spectre.Console;

namespace Bulwark.Cli;

/// <summary>
/// Where a command writes: plain text writers for stdout/stderr plus a Spectre console over stdout. Tests pass
/// string writers; Spectre then sees no terminal and degrades to plain lines (no colours, no live redraw).
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, bool? interactive = null, TextReader? input = null)
    {
        Out = output;
        Error = error;
        In = input ?? Console.In;
        var isTerminal = interactive ?? (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected);
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = isTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!isTerminal)
        {
            Ansi.Profile.Width = 160;
        }
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    /// <summary>Standard input (secrets piped with <c>--password-stdin</c>).</summary>
    public TextReader In { get; }

    public IAnsiConsole Ansi { get; }

    public static CliConsole System() => new(Console.Out, Console.Error);

    /// <summary>
    /// Writes one "error: code: detail" line. Code and detail often come from the server, so both are sanitized
    /// (<see cref="TerminalText"/>): one line, no escape sequences, no bidi reordering.
    /// </summary>
    public void WriteError(string code, string detail) =>
        Error.WriteLine($"error: {TerminalText.Sanitize(code)}: {TerminalText.Sanitize(detail)}");
}
