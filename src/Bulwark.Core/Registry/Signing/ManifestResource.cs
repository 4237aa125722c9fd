namespace Bulwark.Core.Registry;

/// <summary>One artifact file covered by a signed manifest: a plain file name and the lowercase hex SHA-256 of its bytes.</summary>
internal sealed record ManifestResource(string Name, string Sha256);
