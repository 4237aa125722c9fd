namespace Bulwark.Cli.Tests;

/// <summary>Runs the real command tree in-process with captured stdout/stderr (no terminal: Spectre prints plain lines).</summary>
internal sealed class CliRun
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    private readonly TextReader? _input;

    public CliRun(string? stdin = null)
        : this(stdin is null ? null : new StringReader(stdin))
    {
    }

    /// <summary>With <paramref name="input"/> as stdin, e.g. a <see cref="LineFeed"/> answering what the command printed.</summary>
    public CliRun(TextReader? input)
    {
        _input = input;
        Out = TextWriter.Synchronized(_out);
        Error = TextWriter.Synchronized(_err);
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public string Stdout
    {
        get
        {
            lock (Out)
            {
                return _out.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (Error)
            {
                return _err.ToString();
            }
        }
    }

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default) =>
        CliApp.RunAsync(args, new CliConsole(Out, Error, interactive: false, _input), TimeProvider.System, cancellationToken);

    public static Task<(int Exit, string Stdout, string Stderr)> ExecuteAsync(params string[] args) => ExecuteWithInputAsync(null, args);

    public static async Task<(int Exit, string Stdout, string Stderr)> ExecuteWithInputAsync(string? stdin, params string[] args)
    {
        var run = new CliRun(stdin);
        var exit = await run.RunAsync(args);
        return (exit, run.Stdout, run.Stderr);
    }
}
