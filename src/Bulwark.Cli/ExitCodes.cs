namespace Bulwark.Cli;

/// <summary>Process exit codes; scripts switch on these, so they never change meaning.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Usage = 1;
    public const int VerificationFailed = 2;
    public const int ApiError = 3;
    public const int ConnectionError = 4;
}
