using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Compliance.Redaction;

/// <summary>
/// Registers the redactor for each <see cref="LogClassifications">data class</see> (Microsoft.Extensions.Compliance.Redaction).
/// The host turns redaction on for its logging pipeline with <c>ILoggingBuilder.EnableRedaction()</c>; from then on a
/// classified <c>[LoggerMessage]</c> parameter is redacted before any provider sees it.
/// </summary>
internal static class RedactionSetup
{
    public static IServiceCollection AddBulwarkRedaction(this IServiceCollection services) =>
        services.AddRedaction(redaction => redaction
            .SetRedactor<SecretRedactor>(new DataClassificationSet(LogClassifications.Secret))
            .SetRedactor<CardRedactor>(new DataClassificationSet(LogClassifications.Card))
            .SetRedactor<PseudonymRedactor>(new DataClassificationSet(LogClassifications.Personal), new DataClassificationSet(LogClassifications.Health))
            .SetFallbackRedactor<FallbackRedactor>());
}
