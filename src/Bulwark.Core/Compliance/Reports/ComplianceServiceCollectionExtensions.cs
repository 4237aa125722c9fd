using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.Compliance.Reports;

public static class ComplianceServiceCollectionExtensions
{
    /// <summary>Compliance evidence reports (GDPR, HIPAA, PCI DSS) built from live evidence and signed with the audit key.</summary>
    public static IServiceCollection AddComplianceReports(this IServiceCollection services)
    {
        services.TryAddScoped<ComplianceEvidenceCollector>();
        services.TryAddScoped<ComplianceReporter>();
        return services;
    }
}
