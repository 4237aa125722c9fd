namespace Bulwark.Cli;

/// <summary>The command line is syntactically valid but unusable (missing URL, unreadable file…): exit code 1.</summary>
internal sealed class CliUsageException : Exception
{
    public CliUsageException()
    {
    }

    public CliUsageException(string message)
        : base(message)
    {
    }

    public CliUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
