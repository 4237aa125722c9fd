namespace Bulwark.Core.Crypto;

/// <summary>
/// Missing or weak security configuration. Startup stops with this message, which must say what to fix (fail closed).
/// </summary>
public sealed class SecurityConfigurationException : Exception
{
    public SecurityConfigurationException(string message) : base(message)
    {
    }

    public SecurityConfigurationException(string message, Exception inner) : base(message, inner)
    {
    }

    public SecurityConfigurationException()
    {
    }
}
