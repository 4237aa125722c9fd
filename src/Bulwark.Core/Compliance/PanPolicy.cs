namespace Bulwark.Core.Compliance;

/// <summary>
/// What a dataset import does with primary account numbers (PCI DSS 4.0 req. 3.5.1: a PAN is unreadable wherever it
/// is stored). Whatever the policy, a PAN is never stored in clear.
/// </summary>
internal enum PanPolicy
{
    /// <summary>The import fails (422 <c>dataset.pan-detected</c>), naming the column and row. The default.</summary>
    Reject,

    /// <summary>Keep the first six and last four digits, replace the middle with '*' (req. 3.5.1 "truncation").</summary>
    Truncate,

    /// <summary>Replace with a keyed HMAC token: equal PANs give equal tokens, irreversible without the master key.</summary>
    Tokenise,
}
