using Bulwark.Core.Audit;
using Bulwark.Core.BreakGlass;
using Bulwark.Core.Compliance.Redaction;
using Bulwark.Core.Compliance.Reports;
using Bulwark.Core.Datasets;
using Bulwark.Core.Identity;
using Bulwark.Core.Incidents;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Privacy;
using Bulwark.Core.Projects;
using Bulwark.Core.Registry;
using Bulwark.Core.Serving;
using Bulwark.Core.Storage;
using Bulwark.Core.Telemetry;
using Bulwark.Core.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core;

/// <summary>Registers every Core feature. Each <c>AddX</c> is safe to call twice.</summary>
public static class BulwarkCore
{
    public static IServiceCollection AddBulwarkCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddStorage(configuration);
        services.AddTelemetry();
        services.AddAudit(configuration);
        services.AddProjects();
        services.AddIdentity(configuration);
        services.AddDatasets(configuration);
        services.AddTraining(configuration);
        services.AddRegistry(configuration);
        services.AddServing(configuration);
        services.AddIncidents(configuration);
        services.AddMonitoring(configuration);
        services.AddPrivacy(configuration);
        services.AddBreakGlass(configuration);
        services.AddComplianceReports();
        services.AddBulwarkRedaction();
        return services;
    }
}
