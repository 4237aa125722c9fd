using static Bulwark.Core.Compliance.Reports.ComplianceControls;

namespace Bulwark.Core.Compliance.Reports;

/// <summary>
/// GDPR, HIPAA Security Rule and PCI DSS 4.0 controls, each mapped to the live checks that evidence it. The mapping is a
/// statement of what this instance can show, not legal advice: controls that are organisational (training, contracts)
/// are out of scope and not listed.
/// </summary>
internal static class ComplianceFrameworks
{
    public const string Gdpr = "gdpr";
    public const string Hipaa = "hipaa";
    public const string Pci = "pci";

    public static readonly IReadOnlyList<string> All = [Gdpr, Hipaa, Pci];

    public static string? Title(string framework) => framework switch
    {
        Gdpr => "GDPR (Regulation (EU) 2016/679)",
        Hipaa => "HIPAA Security Rule (45 CFR Part 164 Subpart C)",
        Pci => "PCI DSS v4.0",
        _ => null,
    };

    public static IReadOnlyList<ControlResult> Evaluate(string framework, ComplianceEvidence e) => framework switch
    {
        Gdpr =>
        [
            Combine("Art. 5(1)(f)", "Integrity and confidentiality", EncryptionAtRest("", "", e), AuditChain("", "", e)),
            Combine("Art. 25", "Data protection by design and by default", PanProtection("", "", e), EncryptionAtRest("", "", e)),
            AuditRetention("Art. 30", "Records of processing activities (audit ledger retained)", e, PciTotalRetention, PciImmediateRetention),
            Combine("Art. 32", "Security of processing", EncryptionAtRest("", "", e), KeyManagement("", "", e), Mfa("", "", e), Transport("", "", e)),
            BreachNotification("Art. 33", "Notification of a personal data breach within 72 hours", e),
            Combine("Art. 17", "Right to erasure (encrypted, attributable stores that erasure can reach)", EncryptionAtRest("", "", e), AuditChain("", "", e)),
        ],
        Hipaa =>
        [
            Combine("164.312(a)(1)", "Access control", AccessControl("", "", e), Mfa("", "", e)),
            EmergencyAccess("164.312(a)(2)(ii)", "Emergency access procedure", e),
            Combine("164.312(a)(2)(iv)", "Encryption and decryption", EncryptionAtRest("", "", e), KeyManagement("", "", e)),
            AuditChain("164.312(b)", "Audit controls", e),
            Combine("164.312(c)(1)", "Integrity", AuditChain("", "", e), EncryptionAtRest("", "", e)),
            Mfa("164.312(d)", "Person or entity authentication", e),
            Transport("164.312(e)(1)", "Transmission security", e),
            AuditRetention("164.316(b)(2)(i)", "Documentation retention (6 years)", e, HipaaRetention, PciImmediateRetention),
            IncidentResponse("164.308(a)(6)", "Security incident procedures", e),
        ],
        Pci =>
        [
            Combine("3.4/3.5", "PAN rendered unreadable wherever stored", PanProtection("", "", e), EncryptionAtRest("", "", e)),
            KeyManagement("3.6/3.7", "Cryptographic key management and lifecycle", e),
            Transport("4.2.1", "Strong cryptography for transmission", e),
            AccessControl("7", "Access restricted by business need to know", e),
            Mfa("8.3/8.4", "Strong authentication and MFA for administrative access", e),
            Credentials("8.6", "Application and system accounts (API keys) managed", e),
            AuditChain("10.2/10.3", "Audit logs capture events and are protected from modification", e),
            AuditRetention("10.5.1", "Audit log history retained 12 months, 3 immediately available", e, PciTotalRetention, PciImmediateRetention),
            IncidentResponse("12.10", "Incident response plan in place and ready", e),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(framework), framework, "Unknown framework."),
    };
}
