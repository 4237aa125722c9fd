using System.Net;
using System.Net.Http.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Incidents;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Incidents;

/// <summary>
/// The two tabletop exercises of docs/incident-response.md, end to end over HTTPS: detection fires, containment stops
/// the attacker on the next request, recovery restores service, the evidence bundle verifies offline, the incident closes.
/// </summary>
public sealed class TabletopTests
{
    [Fact]
    public async Task LeakedApiKey_UsedFromANewNetworkToMassQuery_IsDetectedContainedAndClosed()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Bulwark:Detection:MassQuery:Threshold"] = "40",
            ["Bulwark:Detection:ApiKeyNewNetwork:LearningEvents"] = "5",
            ["Bulwark:Detection:ApiKeyNewNetwork:LearningPeriod"] = "01:00:00",
        });
        using var admin = server.CreateClient(server.AdminKey);
        var dataset = await Tabletop.ImportDatasetAsync(admin);
        await Tabletop.TrainAndPromoteAsync(admin, "fraud", dataset);
        var leaked = await server.CreateKeyAsync(["predict:fraud"], name: "checkout-service");
        var rows = Tabletop.Rows(60);

        // The legitimate service predicts from its usual network for a while: that is the key's baseline.
        using var legit = server.CreateClient(leaked.Key);
        foreach (var row in rows.Take(6))
        {
            Assert.Equal(HttpStatusCode.OK, (await Tabletop.PredictAsync(legit, "fraud", row)).StatusCode);
        }

        server.Time.Advance(TimeSpan.FromHours(2));
        using var officer = Users.Bearer(server, await Users.SignedInWithMfaAsync(server, "officer", [new RoleGrant("*", "security-officer")]));
        await Tabletop.DetectAsync(server);
        Assert.Empty((await officer.GetFromJsonAsync<IReadOnlyList<IncidentSummary>>("/api/v1/incidents"))!);

        // The key leaks; the attacker mass-queries the model from another network to copy it.
        var attackerAddress = IPAddress.Parse("127.0.77.5");
        using var attacker = server.CreateClientFrom(attackerAddress, leaked.Key);
        foreach (var row in rows)
        {
            Assert.Equal(HttpStatusCode.OK, (await Tabletop.PredictAsync(attacker, "fraud", row)).StatusCode);
        }

        // Detect.
        Assert.True(await Tabletop.DetectAsync(server) >= 2);
        var newNetwork = await Tabletop.IncidentAsync(officer, "apikey.new-network");
        var massQuery = await Tabletop.IncidentAsync(officer, "serving.mass-query");
        Assert.Equal("key:" + leaked.Info.Prefix, massQuery.Subject);
        Assert.Equal(IncidentPlaybooks.LeakedCredential, massQuery.Type);
        var incident = massQuery.Number;
        var detail = (await officer.GetFromJsonAsync<IncidentInfo>($"/api/v1/incidents/{incident}"))!;
        Assert.NotEmpty(detail.LinkedEvents);

        // Contain: revoke the key and block the attacker's network; the very next requests are refused.
        await Tabletop.PostOkAsync(officer, "/api/v1/containment/revoke", new RevokePrincipalRequest("key:" + leaked.Info.Prefix, "leaked: mass querying from 127.0.77.0/24", incident));
        await Tabletop.PostOkAsync(officer, "/api/v1/containment/networks/block", new NetworkBlockRequest("127.0.77.0/24", "attacker network", incident));
        await ProblemAssert.IsProblemAsync(await Tabletop.PredictAsync(attacker, "fraud", rows[0]), HttpStatusCode.Forbidden, ErrorCodes.NetworkBlocked);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Tabletop.PredictAsync(legit, "fraud", rows[0])).StatusCode);

        // Recover: the service gets a new key and works again from its own network.
        var replacement = await server.CreateKeyAsync(["predict:fraud"], name: "checkout-service-2");
        using var recovered = server.CreateClient(replacement.Key);
        Assert.Equal(HttpStatusCode.OK, (await Tabletop.PredictAsync(recovered, "fraud", rows[1])).StatusCode);

        // Eradicate and verify: artifacts and audit chain, then the evidence bundle; close both incidents.
        var reverified = await officer.PostAsJsonAsync("/api/v1/containment/reverify", new ContainmentActionRequest("post-incident check", incident));
        Assert.True((await reverified.Content.ReadFromJsonAsync<ReverifyResult>())!.AuditChainValid);
        await Tabletop.TickAsync(officer, incident, IncidentPlaybooks.ReviewAccess, "audit search: 60 predictions by the key from 127.0.77.5, nothing else");
        await Tabletop.VerifyEvidenceAsync(officer, incident);
        await Tabletop.WalkToClosedAsync(officer, incident);
        Assert.Equal("closed", (await officer.GetFromJsonAsync<IncidentInfo>($"/api/v1/incidents/{incident}"))!.Incident.State);
        Assert.Contains(newNetwork.Number, (await officer.GetFromJsonAsync<IReadOnlyList<IncidentSummary>>("/api/v1/incidents"))!.Select(i => i.Number));
    }

    [Fact]
    public async Task TamperedModelArtifact_IsQuarantinedWithFallback_RestoredAndClosed()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.CreateClient(server.AdminKey);
        var dataset = await Tabletop.ImportDatasetAsync(admin);
        await Tabletop.TrainAndPromoteAsync(admin, "diagnosis", dataset, seed: 1);
        var v2 = await Tabletop.TrainAndPromoteAsync(admin, "diagnosis", dataset, seed: 2);
        var client = server.CreateClient((await server.CreateKeyAsync(["predict:diagnosis"], name: "clinic-app")).Key);
        var row = Tabletop.Rows(1)[0];
        Assert.Equal(v2, (await (await Tabletop.PredictAsync(client, "diagnosis", row)).Content.ReadFromJsonAsync<PredictResponse>())!.Version);
        await Tabletop.DetectAsync(server);

        // An attacker with file access flips a byte of version 2's artifact.
        string target;
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            var id = (await db.ModelVersions.IgnoreQueryFilters().SingleAsync(v => v.ModelName == "diagnosis" && v.Version == v2)).Id;
            target = Directory.GetFiles(Path.Combine(server.DataDir, "objects", "model", id.ToString("N")), "*", SearchOption.AllDirectories)
                .OrderByDescending(f => new FileInfo(f).Length).First();
        }

        var original = await File.ReadAllBytesAsync(target);
        var tampered = original.ToArray();
        tampered[tampered.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(target, tampered);

        // Detect: the scheduled re-verification finds it, quarantines version 2 and falls back to version 1 at once.
        var report = await server.App.Services.GetRequiredService<ArtifactReverifier>().ReverifyAllAsync("system", null);
        var failure = Assert.Single(report.Failures);
        Assert.Equal(v2, failure.Version);
        Assert.Equal(v2 - 1, failure.FallbackVersion);
        var served = await Tabletop.PredictAsync(client, "diagnosis", row);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(v2 - 1, (await served.Content.ReadFromJsonAsync<PredictResponse>())!.Version);
        var explicitV2 = await client.PostAsync($"/v2/models/diagnosis/versions/{v2}/infer", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.NotEqual(HttpStatusCode.OK, explicitV2.StatusCode);

        Assert.True(await Tabletop.DetectAsync(server) >= 1);
        using var officer = Users.Bearer(server, await Users.SignedInWithMfaAsync(server, "officer", [new RoleGrant("*", "security-officer")]));
        var incident = await Tabletop.IncidentAsync(officer, "integrity.model");
        Assert.Equal("critical", incident.Severity);
        Assert.Equal(IncidentPlaybooks.ModelTampering, incident.Type);

        // Contain under the incident (already quarantined: recorded and ticked), freeze promotions meanwhile.
        await Tabletop.PostOkAsync(officer, $"/api/v1/models/diagnosis/versions/{v2}/quarantine", new ContainmentActionRequest("tampered artifact", incident.Number));
        await Tabletop.PostOkAsync(officer, "/api/v1/containment/freeze", new ContainmentToggleRequest(true, "until the artifact store is clean", incident.Number));

        // Reinstating before the artifact is restored is refused.
        using var approver = Users.Bearer(server, await Users.SignedInWithMfaAsync(server, "approver", [new RoleGrant("default", "approver")]));
        var early = await approver.PostAsJsonAsync($"/api/v1/models/diagnosis/versions/{v2}/reinstate", new ReinstateRequest("looks fine", incident.Number));
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);

        // Eradicate: restore the artifact from backup and re-verify everything.
        await File.WriteAllBytesAsync(target, original);
        var reverified = (await (await officer.PostAsJsonAsync("/api/v1/containment/reverify", new ContainmentActionRequest("after restore", incident.Number)))
            .Content.ReadFromJsonAsync<ReverifyResult>())!;
        Assert.Empty(reverified.Failures);
        Assert.True(reverified.AuditChainValid);

        // Recover: an approver reinstates version 2 after the clean verification; it is promoted again and serves.
        await Tabletop.PostOkAsync(approver, $"/api/v1/models/diagnosis/versions/{v2}/reinstate", new ReinstateRequest("restored from backup; signature and digests verify", incident.Number));
        await Tabletop.PostOkAsync(officer, "/api/v1/containment/freeze", new ContainmentToggleRequest(false, "artifact store clean", incident.Number));
        await Serving.TrainedModelsFixture.PromoteAsync(admin, "diagnosis", v2);
        Assert.Equal(v2, (await (await Tabletop.PredictAsync(client, "diagnosis", row)).Content.ReadFromJsonAsync<PredictResponse>())!.Version);

        await Tabletop.VerifyEvidenceAsync(officer, incident.Number);
        await Tabletop.WalkToClosedAsync(officer, incident.Number);
        var closed = (await officer.GetFromJsonAsync<IncidentInfo>($"/api/v1/incidents/{incident.Number}"))!;
        Assert.Equal("closed", closed.Incident.State);
        Assert.All(closed.Checklist, item => Assert.True(item.Done, item.Item));
        client.Dispose();
    }
}

public sealed class QuarantineReplicaTests
{
    [Fact]
    public async Task QuarantineOnAnotherReplica_ReachesThisOneAtTheNextSync()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = server.CreateClient(server.AdminKey);
        var dataset = await Tabletop.ImportDatasetAsync(admin);
        await Tabletop.TrainAndPromoteAsync(admin, "risk", dataset, seed: 1);
        var v2 = await Tabletop.TrainAndPromoteAsync(admin, "risk", dataset, seed: 2);
        var row = Tabletop.Rows(1)[0];
        Assert.Equal(v2, (await (await Tabletop.PredictAsync(admin, "risk", row)).Content.ReadFromJsonAsync<PredictResponse>())!.Version);

        // Another replica quarantines version 2: same database, its own model cache (this replica's is not told).
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var otherReplicaCache = new Core.Serving.LoadedModelCache(services.GetRequiredService<Core.Serving.ModelLoader>(), server.Time);
            var quarantine = new ModelQuarantine(services.GetRequiredService<BulwarkDbContext>(), services.GetRequiredService<Core.Audit.AuditLedger>(),
                otherReplicaCache, services.GetRequiredService<ModelStageTag>(), new ModelReleaseLedger(services.GetRequiredService<Core.Crypto.KeyRing>()),
                services.GetRequiredService<Core.Serving.ModelLoader>(), server.Time);
            var result = await quarantine.QuarantineAsync(Core.Projects.ProjectIds.Default, "risk", v2, "tampered", "user:other-replica", null);
            Assert.True(result.Succeeded, result.Failure?.Detail);
            otherReplicaCache.Dispose();
        }

        await server.App.Services.GetRequiredService<Core.Incidents.Containment.ContainmentState>().SyncAsync();

        var served = (await (await Tabletop.PredictAsync(admin, "risk", row)).Content.ReadFromJsonAsync<PredictResponse>())!;
        Assert.Equal(v2 - 1, served.Version);
    }
}
