namespace Bulwark.Server.Authentication;

/// <summary>
/// Marks an endpoint that needs a second factor in the current session (step-up): model export, key rotation, policy
/// change, MFA reset. API keys never carry one, so these actions always come from a person who proved two factors.
/// </summary>
internal sealed record StepUpMetadata
{
    public static readonly StepUpMetadata Instance = new();
}

internal static class StepUpExtensions
{
    public static TBuilder RequireStepUp<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(StepUpMetadata.Instance);
}
