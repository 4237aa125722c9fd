namespace Bulwark.Core.Identity.Tokens;

/// <summary>An external issuer's options with its key source and algorithm allow-list, ready for lookups.</summary>
internal sealed record ExternalIssuer(ExternalIssuerOptions Options, IJwksSource Source, HashSet<string> Algorithms);
