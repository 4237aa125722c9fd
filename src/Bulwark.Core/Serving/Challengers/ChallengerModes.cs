namespace Bulwark.Core.Serving;

/// <summary>How a challenger meets traffic.</summary>
internal static class ChallengerModes
{
    /// <summary>The challenger answers a share of the requests (chosen by the prediction id); the champion answers the rest.</summary>
    public const string Split = "split";

    /// <summary>The champion answers every request; the challenger scores a copy in the background and answers nobody.</summary>
    public const string Shadow = "shadow";
}
