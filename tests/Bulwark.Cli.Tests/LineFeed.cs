using System.Threading.Channels;

namespace Bulwark.Cli.Tests;

/// <summary>Stdin for a running command: each read waits for the next line the test sends (an answer to what it printed).</summary>
internal sealed class LineFeed : TextReader
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    public void Send(string line) => _lines.Writer.TryWrite(line);

    public override string? ReadLine() => ReadLineAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) => await _lines.Reader.ReadAsync(cancellationToken);
}
