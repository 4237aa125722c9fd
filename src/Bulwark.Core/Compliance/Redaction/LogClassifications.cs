using Microsoft.Extensions.Compliance.Classification;

namespace Bulwark.Core.Compliance.Redaction;

/// <summary>
/// The data classes a log parameter can carry. A <c>[LoggerMessage]</c> parameter tagged with one of the attributes below
/// never reaches a log sink as written: the redactor registered for its class (<see cref="RedactionSetup"/>) replaces it
/// first. Untagged parameters are operational values (ids, counts, codes, model names) and must stay that way.
/// </summary>
internal static class LogClassifications
{
    public const string Taxonomy = "Bulwark";

    /// <summary>Credentials and key material: passwords, tokens, API key secrets, webhook URLs. Replaced by a marker.</summary>
    public static DataClassification Secret { get; } = new(Taxonomy, "secret");

    /// <summary>Cardholder data (PCI DSS): replaced by a marker, never truncated in logs.</summary>
    public static DataClassification Card { get; } = new(Taxonomy, "pci");

    /// <summary>
    /// Personal data (GDPR): network addresses, logins, names, e-mail addresses, request paths that may name a person.
    /// Replaced by a keyed pseudonym, so lines about the same person still correlate without naming them.
    /// </summary>
    public static DataClassification Personal { get; } = new(Taxonomy, "pii");

    /// <summary>Health data (HIPAA PHI): pseudonymised like personal data.</summary>
    public static DataClassification Health { get; } = new(Taxonomy, "phi");
}

/// <summary>A credential or key material; logged as <c>[secret]</c>.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class SecretDataAttribute() : DataClassificationAttribute(LogClassifications.Secret);

/// <summary>Cardholder data; logged as <c>[pan]</c>.</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class CardDataAttribute() : DataClassificationAttribute(LogClassifications.Card);

/// <summary>Personal data; logged as a keyed pseudonym (<c>p:…</c>).</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class PersonalDataAttribute() : DataClassificationAttribute(LogClassifications.Personal);

/// <summary>Health data; logged as a keyed pseudonym (<c>p:…</c>).</summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class HealthDataAttribute() : DataClassificationAttribute(LogClassifications.Health);
