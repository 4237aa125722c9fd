using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Crypto;
using Bulwark.Server.Tests.Identity;
using Bulwark.Server.Tests.Incidents;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Crypto;

/// <summary>Rotation and rewrap while serving: no request fails, and every object stays readable.</summary>
public sealed class KeyRingUnderLoadTests
{
    [Fact]
    public async Task RotateAndRewrap_UnderParallelPredictionsAndReads_LoseNoRequest()
    {
        // Rate limits out of the way: a 429 is the limiter working, not a request lost to rotation.
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:RateLimits:PerKeyTokensPerSecond"] = "1000000",
            ["Bulwark:RateLimits:PerKeyBurst"] = "1000000",
        });
        using var apiAdmin = server.CreateClient(server.AdminKey);
        using var admin = Users.Bearer(server, await Users.SignedInWithMfaAsync(server, "keyadmin", [new RoleGrant("*", "admin")]));
        var dataset = await Tabletop.ImportDatasetAsync(apiAdmin);
        await Tabletop.TrainAndPromoteAsync(apiAdmin, "load-model", dataset);
        using var client = server.CreateClient((await server.CreateKeyAsync(["predict:load-model", "datasets:read"])).Key);
        var rows = Tabletop.Rows(20);

        var failures = new ConcurrentBag<string>();
        var requests = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested || i < 5; i++)
            {
                var response = i % 3 == 0
                    ? await client.GetAsync($"/api/v1/datasets/{dataset}")
                    : await Tabletop.PredictAsync(client, "load-model", rows[(worker + i) % rows.Count]);
                Interlocked.Increment(ref requests);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        })).ToArray();

        for (var round = 0; round < 3; round++)
        {
            var rotated = await admin.PostAsJsonAsync("/api/v1/keyring/rotate", new KeyRingActionRequest("rotation under load"));
            Assert.True(rotated.IsSuccessStatusCode, await rotated.Content.ReadAsStringAsync());
            var rewrap = await admin.PostAsJsonAsync("/api/v1/keyring/rewrap", new KeyRingActionRequest());
            Assert.True(rewrap.IsSuccessStatusCode, await rewrap.Content.ReadAsStringAsync());
            Assert.Equal(0, (await rewrap.Content.ReadFromJsonAsync<KeyRingRewrapInfo>())!.Failed);
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(requests >= 40);

        // Captures written during the rotations are under whichever primary was current, and a last rewrap moves them all.
        var last = (await admin.PostAsJsonAsync("/api/v1/keyring/rewrap", new KeyRingActionRequest()));
        var primary = server.App.Services.GetRequiredService<KeyRing>().PrimaryKeyId;
        Assert.Equal([primary], (await last.Content.ReadFromJsonAsync<KeyRingRewrapInfo>())!.After.Keys);
        Assert.All(await EnvelopeCensus.TakeAsync(server.DataDir), store => Assert.Equal([primary], store.Value.Keys));
    }
}
