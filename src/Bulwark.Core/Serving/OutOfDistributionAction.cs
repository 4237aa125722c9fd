namespace Bulwark.Core.Serving;

/// <summary>What serving does with a request whose rows the out-of-distribution guard flags.</summary>
public enum OutOfDistributionAction
{
    /// <summary>Serve it, say so in the <c>Bulwark-Ood</c> response header and audit it (4012).</summary>
    Flag,

    /// <summary>Refuse it: 422 <c>serving.out-of-distribution</c> naming the first flagged row and its features.</summary>
    Reject,

    /// <summary>Do not check.</summary>
    Off,
}
