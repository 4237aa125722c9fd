namespace Bulwark.Core.Access;

/// <summary>A role an administrator defines on top of <see cref="BuiltInRoles"/>.</summary>
internal sealed record CustomRole(string Name, IReadOnlySet<string> Permissions);
