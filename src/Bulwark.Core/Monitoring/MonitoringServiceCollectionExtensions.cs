using Cronos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bulwark.Core.Monitoring;

public static class MonitoringServiceCollectionExtensions
{
    /// <summary>Prediction capture, feedback with its poisoning guard, scheduled evaluation and the retraining policy.</summary>
    public static IServiceCollection AddMonitoring(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MonitoringOptions>().Bind(configuration.GetSection(MonitoringOptions.Section)).ValidateDataAnnotations()
            .Validate(o => IsCron(o.EvaluationSchedule), "Bulwark:Monitoring:EvaluationSchedule must be a five-field cron expression (UTC), e.g. \"0 * * * *\".")
            .Validate(o => o.Retraining.Values.All(p => p.Dataset.Length > 0 && (p.Every is null || p.Every >= TimeSpan.FromHours(1))),
                "Every Bulwark:Monitoring:Retraining:<model> needs a Dataset, and Every at least 01:00:00.")
            .Validate(o => o.Retraining.Keys.All(Registry.RegistryOptions.IsModelKey),
                "Bulwark:Monitoring:Retraining keys must be a model name or <project>/<model>.")
            .ValidateOnStart();
        services.TryAddSingleton<PredictionCapture>();
        services.TryAddSingleton<DriftGauge>();
        services.TryAddSingleton<PredictionCaptureWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<PredictionCaptureWriter>());
        services.TryAddScoped<FeedbackService>();
        services.TryAddScoped<RetrainingService>();
        services.TryAddScoped<ModelMonitor>();
        services.TryAddSingleton<MonitoringWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<MonitoringWorker>());
        return services;
    }

    private static bool IsCron(string expression)
    {
        try
        {
            CronExpression.Parse(expression);
            return true;
        }
        catch (CronFormatException)
        {
            return false;
        }
    }
}
