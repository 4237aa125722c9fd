namespace Bulwark.Core.Incidents.Evidence;

/// <summary>An entry (or the bundle) inflated past its cap while being read: reported as "too large", not as a broken zip.</summary>
internal sealed class EvidenceTooLargeException(string message) : IOException(message);
