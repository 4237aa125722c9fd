namespace Bulwark.Core.Access;

/// <summary>What a matching policy does.</summary>
internal enum PolicyEffect
{
    Permit,
    Forbid,
}
