using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Bulwark.Core.Compliance.Reports;
using Bulwark.Core.Identity;
using Bulwark.Server.Authentication;
using Bulwark.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Bulwark.Server.Compliance;

/// <summary>Compliance evidence reports: GDPR, HIPAA or PCI DSS controls judged on live evidence, signed and audited.</summary>
/// <remarks>
/// Instance-wide and read-only, for the people who answer to auditors: <c>audit:read</c> (security officers, auditors,
/// admins). The report names weaknesses (privileged users without MFA, a loose key file), which is why it is not open
/// to every project member.
/// </remarks>
internal static class ComplianceEndpoints
{
    private const int MaxPeriodDays = 366;

    public static IEndpointRouteBuilder MapCompliance(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/compliance/report", ReportAsync).WithName("GetComplianceReport").WithTags("Compliance")
            .RequirePermission(Permissions.AuditRead).InstanceWide();
        return app;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> ReportAsync(string? framework, int? days, ComplianceReporter reporter,
        X509Certificate2 certificate, IOptions<ServerOptions> server, HttpContext context, CancellationToken cancellationToken)
    {
        if (days is { } d && (d < 1 || d > MaxPeriodDays))
        {
            return Problems.Of(Client.Contracts.ErrorCodes.InvalidRequest, 400, $"days must be between 1 and {MaxPeriodDays}.");
        }

        // What KestrelSetup enforces: TLS 1.2 and 1.3 only; the AEAD-only suite policy applies where the OS honours it.
        var transport = new TransportFacts("TLS 1.2, TLS 1.3", OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), server.Value.HstsMaxAgeDays,
            certificate.NotAfter.ToUniversalTime(), certificate.GetECDsaPublicKey() is not null ? "ECDSA" : certificate.GetRSAPublicKey() is { } rsa ? $"RSA {rsa.KeySize}" : "other");
        var outcome = await reporter.GenerateAsync(framework, TimeSpan.FromDays(days ?? 30), transport, context.GetPrincipal().Id, context.ClientAddress(), cancellationToken);
        if (!outcome.Succeeded)
        {
            return Problems.From(outcome.Failure);
        }

        // The report is written as the exact bytes that were signed, so what a client reads is what the signature covers.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("report");
            writer.WriteRawValue(outcome.Value.Payload, skipInputValidation: true);
            writer.WriteString("signature", outcome.Value.Signature);
            writer.WriteEndObject();
        }

        return TypedResults.Content(System.Text.Encoding.UTF8.GetString(buffer.ToArray()), "application/json");
    }
}
