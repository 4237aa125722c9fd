using System.Text;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Audit;

/// <summary>Rotating the audit key while something is still signing with the previous one.</summary>
public sealed class AuditKeyRotationTests
{
    [Fact]
    public async Task Export_AuditKeyRotatedMidExport_StillEndsWithAValidSignature()
    {
        await using var env = await CoreTestEnvironment.CreateAsync();
        var ledger = env.Services.GetRequiredService<AuditLedger>();
        var keys = env.Services.GetRequiredService<AuditKeyStore>();
        for (var i = 1; i <= 5; i++)
        {
            await using var scope = env.Scope();
            await ledger.SaveChangesAsync(scope.ServiceProvider.GetRequiredService<BulwarkDbContext>(),
                new AuditEntry(AuditCodes.DatasetImported, "dataset.import", "key:bwk_test", $"dataset/{i}", "success", "127.0.0.1"));
        }

        var before = keys.Current.ActiveKeyId;
        using var output = new RotatingStream(() => keys.RotateAsync((db, id) => ledger.SaveChangesAsync(db,
            new AuditEntry(AuditCodes.AuditKeyRotated, "audit.rotate-key", "admin", "audit-key/" + id, "success", null))));
        await using (var scope = env.Scope())
        {
            var exporter = scope.ServiceProvider.GetRequiredService<AuditExporter>();
            var range = await exporter.PlanAsync(1, null, "test", null, CancellationToken.None);
            await exporter.WriteAsync(output, range!, CancellationToken.None);
        }

        Assert.True(output.Rotated);
        Assert.NotEqual(before, keys.Current.ActiveKeyId);
        var trusted = keys.Current.Trusted.ToDictionary(k => k.Key, k => k.Value.SubjectPublicKeyInfo);
        var report = await AuditExportVerifier.VerifyAsync(new StringReader(Encoding.UTF8.GetString(output.ToArray())), trusted);
        Assert.True(report.Valid, report.Reason);
        Assert.Equal(before, report.SignedBy);

        // The new key signs from now on.
        var checkpoint = await env.Services.GetRequiredService<AuditCheckpointer>().CheckpointAsync("test", null, force: true);
        Assert.Equal(keys.Current.ActiveKeyId, checkpoint!.KeyId);
    }

    /// <summary>Rotates the audit key when the export writes its first line (after it picked its key set).</summary>
    private sealed class RotatingStream(Func<Task<string>> rotate) : MemoryStream
    {
        public bool Rotated { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!Rotated)
            {
                Rotated = true;
                await rotate();
            }

            await base.WriteAsync(buffer, cancellationToken);
        }
    }
}
