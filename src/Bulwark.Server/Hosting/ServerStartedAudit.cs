using Bulwark.Core.Audit;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Bulwark.Server.Hosting;

/// <summary>Records each server start (and where it listens) in the audit ledger, so gaps in service are on record.</summary>
internal sealed class ServerStartedAudit(AuditLedger ledger, IServer server) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        return ledger.AppendAsync(new AuditEntry(AuditCodes.ServerStarted, "system.start", "system", "server", "success", null,
            new Dictionary<string, object?>
            {
                ["addresses"] = addresses,
                ["productVersion"] = typeof(ServerStartedAudit).Assembly.GetName().Version?.ToString(),
            }));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
