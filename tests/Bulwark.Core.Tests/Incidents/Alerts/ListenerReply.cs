namespace Bulwark.Core.Tests.Incidents.Alerts;

/// <summary>What <see cref="TlsTestListener"/> answers to a request.</summary>
internal sealed record ListenerReply(int StatusCode = 200, string? Location = null, long BodyBytes = 0, bool Hang = false)
{
    public static ListenerReply Ok { get; } = new();

    public static ListenerReply Status(int code) => new(code);

    public static ListenerReply Redirect(int code, string location) => new(code, location);

    public static ListenerReply Body(long bytes) => new(BodyBytes: bytes);

    /// <summary>Reads the request, then never answers.</summary>
    public static ListenerReply Hanging { get; } = new(Hang: true);
}
