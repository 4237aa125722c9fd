using Microsoft.Extensions.Hosting;

namespace Bulwark.Core.Incidents.Alerts;

/// <summary>Runs <see cref="AlertDispatcher.RunAsync"/> for the lifetime of the host.</summary>
internal sealed class AlertDeliveryService(AlertDispatcher dispatcher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => dispatcher.RunAsync(stoppingToken);
}
