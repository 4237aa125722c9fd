namespace Bulwark.Core.Incidents.Detection;

/// <summary>What one machine credential's baseline looks like: when it was first seen, how often, and from which networks.</summary>
internal sealed class CredentialNetworks(DateTimeOffset firstSeen, int maxNetworks)
{
    public DateTimeOffset FirstSeen { get; } = firstSeen;

    public long Events { get; set; }

    /// <summary>Known networks, least recently used forgotten first.</summary>
    public SubjectTable<bool> Networks { get; } = new(maxNetworks);
}
