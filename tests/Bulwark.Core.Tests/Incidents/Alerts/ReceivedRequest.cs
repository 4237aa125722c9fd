namespace Bulwark.Core.Tests.Incidents.Alerts;

/// <summary>One HTTP request as <see cref="TlsTestListener"/> saw it on the wire.</summary>
internal sealed record ReceivedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}
