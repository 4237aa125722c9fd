using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Monitoring;
using Bulwark.Core.Privacy;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Privacy;

/// <summary>
/// Data-subject rights over real HTTPS on a real SQLite data directory with a really trained model: erasure removes a
/// subject from every dataset version, capture and feedback, flags the models trained on them, and returns a receipt
/// that verifies offline and fails when altered; afterwards no store, decrypted or raw, holds the subject's key.
/// </summary>
public sealed class SubjectRightsTests : IAsyncLifetime
{
    private const string Model = "triage";
    private TestServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _officer = null!;
    private DatasetInfo _first = null!;
    private DatasetInfo _second = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _admin = _server.CreateClient(_server.AdminKey);
        _officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "dpo", [new RoleGrant("default", "security-officer")]));

        // Two versions of the same data (re-imported), both declaring the subject column.
        _first = await PrivacyScenario.ImportOkAsync(_admin, "patients");
        _second = await PrivacyScenario.ImportOkAsync(_admin, "patients");
        await PrivacyScenario.TrainAndPromoteAsync(_admin, Model, _first.Id);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _officer.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Import_RecordsTheSubjectColumn_AsAnIdentifierThatIsNeverAFeature()
    {
        Assert.Equal("patient_id", _first.SubjectColumn);
        var column = Assert.Single(_first.Columns, c => c.Name == "patient_id");
        Assert.Equal("identifier", column.Kind);
        Assert.Null(column.Categories); // no list of every subject in the schema

        var version = Assert.Single((await _admin.GetFromJsonAsync<ModelVersionInfo[]>($"/api/v1/models/{Model}/versions"))!, v => v.Version == 1);
        Assert.DoesNotContain(version.Features, f => f.Name == "patient_id");
        Assert.Contains(version.Features, f => f.Name == "zip");
    }

    [Theory]
    [InlineData("&subject=no_such_column", "not in the CSV header")]
    [InlineData("&subject=diagnosis", "cannot be the label")]
    [InlineData("&subject=bad%20name!", "not a valid column name")]
    public async Task Import_WithAnInvalidSubjectColumn_Is400(string query, string message)
    {
        var response = await PrivacyScenario.ImportAsync(_admin, "invalid-subject", PrivacyScenario.Csv(), query);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, ErrorCodes.DatasetInvalid);
        Assert.Contains(message, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_WithTheSubjectColumnTwiceInTheHeader_IsRefused()
    {
        var csv = PrivacyScenario.Csv().Replace("zip,", "patient_id,", StringComparison.Ordinal);
        var response = await PrivacyScenario.ImportAsync(_admin, "twice", csv, "&subject=patient_id");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Erasure_WithoutMfa_WithoutPermission_OrWithABadSubject_IsRefusedAndChangesNothing()
    {
        // The admin API key holds every permission but no second factor.
        await ProblemAssert.IsProblemAsync(await _admin.PostAsJsonAsync("/api/v1/privacy/erasure", new SubjectRequest(PrivacyScenario.Subject)),
            HttpStatusCode.Forbidden, ErrorCodes.StepUpRequired);
        using var engineer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "engineer", [new RoleGrant("default", "ml-engineer")]));
        Assert.Equal(HttpStatusCode.Forbidden, (await engineer.PostAsJsonAsync("/api/v1/privacy/erasure", new SubjectRequest(PrivacyScenario.Subject))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await engineer.PostAsJsonAsync("/api/v1/privacy/subjects/export", new SubjectRequest(PrivacyScenario.Subject))).StatusCode);

        foreach (var bad in new[] { "", "   ", "P-1\u0000", "P-1\nP-2", new string('x', 257) })
        {
            await ProblemAssert.IsProblemAsync(await _officer.PostAsJsonAsync("/api/v1/privacy/erasure", new SubjectRequest(bad)),
                HttpStatusCode.BadRequest, ErrorCodes.PrivacySubjectInvalid);
        }

        await ProblemAssert.IsProblemAsync(await _officer.PostAsync("/api/v1/privacy/erasure", new StringContent("{\"subject\": 5}", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await _officer.PostAsJsonAsync("/api/v1/privacy/erasure", new SubjectRequest(PrivacyScenario.Subject, "other-project")),
            HttpStatusCode.BadRequest, ErrorCodes.PrivacyInvalid);

        // A bad Bulwark-Subject header on a prediction is a 400, not a silently unlabelled capture.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/models/{Model}:predict") { Content = new StringContent(PrivacyScenario.Body(1), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Bulwark-Subject", new string('y', 300));
        await ProblemAssert.IsProblemAsync(await _admin.SendAsync(request), HttpStatusCode.BadRequest, ErrorCodes.PrivacySubjectInvalid);

        var datasets = (await _admin.GetFromJsonAsync<DatasetInfo[]>("/api/v1/datasets"))!;
        Assert.Contains(datasets, d => d.Id == _first.Id && d.ContentDigest == _first.ContentDigest && d.RowCount == _first.RowCount);
    }

    [Fact]
    public async Task Captures_HoldNoRawPersonalValue_YetDriftStillEvaluates()
    {
        for (var row = 30; row < 40; row++)
        {
            await PrivacyScenario.PredictAsync(_admin, Model, row, $"P-{row:0000}");
        }

        await PrivacyScenario.WaitForCapturesAsync(_server, 10);
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var envelope = services.GetRequiredService<EnvelopeEncryption>();
            var captures = await services.GetRequiredService<BulwarkDbContext>().CapturedPredictions.IgnoreQueryFilters().ToListAsync();
            foreach (var capture in captures)
            {
                var payload = CapturePayload.Open(envelope, capture);
                var body = Encoding.UTF8.GetString(payload.Body);
                Assert.Contains("zip", payload.Pseudonymised!);
                Assert.DoesNotContain(PrivacyScenario.Zips, z => body.Contains(z, StringComparison.Ordinal));
                Assert.Contains("\"zip\":\"ps_", body, StringComparison.Ordinal);
                Assert.DoesNotContain("P-00", body, StringComparison.Ordinal);
                Assert.Matches("^[0-9a-f]{64}$", capture.SubjectPseudonym ?? "");
            }
        }

        var evaluated = await _admin.PostAsync($"/api/v1/models/{Model}/monitoring/evaluate", null);
        Assert.True(evaluated.StatusCode == HttpStatusCode.OK, await evaluated.Content.ReadAsStringAsync());
        var report = (await evaluated.Content.ReadFromJsonAsync<MonitoringReportInfo>())!;
        Assert.True(report.Rows >= 10, report.Findings.ToString());
        var features = report.Findings.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("feature").GetString()).ToList();
        Assert.Contains("mean_radius", features);
        Assert.DoesNotContain("skipped", report.Findings.GetProperty("notes").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ReturnsTheSubjectsRowsAndCaptures_AndIsAuditedWithoutTheKey()
    {
        await PrivacyScenario.PredictAsync(_admin, Model, 5, PrivacyScenario.OtherSubject);
        await PrivacyScenario.WaitForCapturesAsync(_server, 1);
        var response = await _officer.PostAsJsonAsync("/api/v1/privacy/subjects/export", new SubjectRequest(PrivacyScenario.OtherSubject));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var export = (await response.Content.ReadFromJsonAsync<SubjectExportInfo>())!;
        Assert.Equal(2, export.Datasets.Count);
        Assert.All(export.Datasets, d => Assert.Equal(PrivacyScenario.OtherSubject, Assert.Single(d.Rows)["patient_id"]));
        var capture = Assert.Single(export.CapturedPredictions);
        Assert.Equal(["zip"], capture.Pseudonymised);
        Assert.StartsWith("ps_", capture.Body!.Value.GetProperty("instances")[0].GetProperty("zip").GetString(), StringComparison.Ordinal);
        Assert.Single(capture.Outputs);

        // The same through GET with the key in a header (never in the URL).
        using var get = new HttpRequestMessage(HttpMethod.Get, "/api/v1/privacy/subjects/export");
        get.Headers.Add("Bulwark-Subject", PrivacyScenario.OtherSubject);
        Assert.Equal(HttpStatusCode.OK, (await _officer.SendAsync(get)).StatusCode);

        await using var scope = _server.App.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.IgnoreQueryFilters()
            .Where(e => e.Code == AuditCodes.PrivacySubjectExported).ToListAsync();
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.DoesNotContain(PrivacyScenario.OtherSubject, e.Details, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Erasure_RemovesTheSubjectFromEveryStore_FlagsTheModel_AndReturnsAReceiptThatVerifiesOffline()
    {
        // The subject is served twice (one with feedback), another subject once.
        var first = await PrivacyScenario.PredictAsync(_admin, Model, 0, PrivacyScenario.Subject);
        await PrivacyScenario.PredictAsync(_admin, Model, 10, PrivacyScenario.Subject);
        var other = await PrivacyScenario.PredictAsync(_admin, Model, 6, "P-0006");
        await PrivacyScenario.WaitForCapturesAsync(_server, 3);
        Assert.Equal(HttpStatusCode.Accepted, (await _admin.PostAsJsonAsync($"/api/v1/models/{Model}/feedback", new FeedbackRequest(first, "malignant"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _admin.PostAsJsonAsync($"/api/v1/models/{Model}/feedback", new FeedbackRequest(other, "benign"))).StatusCode);

        // Before: the subject's rows are there once decrypted (so the searches below can find them).
        Assert.All(await DecryptedDatasetsAsync(), text => Assert.Contains(PrivacyScenario.Subject, text, StringComparison.Ordinal));

        var response = await _officer.PostAsJsonAsync("/api/v1/privacy/erasure", new SubjectRequest(PrivacyScenario.Subject));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var erasure = (await response.Content.ReadFromJsonAsync<ErasureInfo>())!;
        Assert.Equal(2, erasure.Datasets.Count);
        Assert.All(erasure.Datasets, d => Assert.Equal((3, _first.RowCount - 3), (d.RowsRemoved, d.RowsRemaining)));
        Assert.Equal(2, erasure.CapturedPredictions);
        Assert.Equal(1, erasure.FeedbackLabels);
        var flagged = Assert.Single(erasure.RetrainRequired);
        Assert.Equal((Model, 1, "production", _first.Id), (flagged.Model, flagged.Version, flagged.Stage, flagged.DatasetId));
        Assert.DoesNotContain(PrivacyScenario.Subject, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Datasets: row counts and digests are coherent (the catalog loads them), the old objects are gone.
        var datasets = (await _admin.GetFromJsonAsync<DatasetInfo[]>("/api/v1/datasets"))!;
        foreach (var id in new[] { _first.Id, _second.Id })
        {
            var now = Assert.Single(datasets, d => d.Id == id);
            Assert.Equal(_first.RowCount - 3, now.RowCount);
            Assert.NotEqual(_first.ContentDigest, now.ContentDigest);
            await using var scope = _server.App.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<Core.Projects.ProjectScope>().Enter("default");
            var loaded = await scope.ServiceProvider.GetRequiredService<DatasetCatalog>().LoadAsync(id);
            Assert.True(loaded.Succeeded, loaded.Failure?.Detail);
            Assert.Equal(now.RowCount, loaded.Value.RowCount);
            Assert.False(File.Exists(scope.ServiceProvider.GetRequiredService<ArtifactStore>().FullPath(DatasetImporter.ArtifactPurpose, id.ToString("N"))));
        }

        // Every store, decrypted: no dataset row, capture or feedback of the subject is left; the other subject's are.
        Assert.All(await DecryptedDatasetsAsync(), text => Assert.DoesNotContain(PrivacyScenario.Subject, text, StringComparison.Ordinal));
        await using (var scope = _server.App.Services.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var db = services.GetRequiredService<BulwarkDbContext>();
            var envelope = services.GetRequiredService<EnvelopeEncryption>();
            var token = "ps_" + erasure.SubjectHmac;
            var captures = await db.CapturedPredictions.IgnoreQueryFilters().ToListAsync();
            Assert.Contains(captures, c => c.Id == other);
            foreach (var capture in captures)
            {
                Assert.NotEqual(erasure.SubjectHmac, capture.SubjectPseudonym);
                var body = Encoding.UTF8.GetString(CapturePayload.Open(envelope, capture).Body);
                Assert.DoesNotContain(PrivacyScenario.Subject, body, StringComparison.Ordinal);
                Assert.DoesNotContain(token, body, StringComparison.Ordinal);
            }

            var labels = await db.FeedbackLabels.IgnoreQueryFilters().ToListAsync();
            Assert.DoesNotContain(labels, l => l.PredictionId == first);
            Assert.Contains(labels, l => l.PredictionId == other);

            // Audited with the HMAC only; no audit event anywhere holds the raw key.
            var events = await db.AuditEvents.IgnoreQueryFilters().ToListAsync();
            var erased = Assert.Single(events, e => e.Code == AuditCodes.PrivacyErasureCompleted);
            Assert.Contains(erasure.SubjectHmac, erased.Details, StringComparison.Ordinal);
            Assert.All(events, e => Assert.DoesNotContain(PrivacyScenario.Subject, e.Details + e.Resource, StringComparison.Ordinal));
        }

        // Raw bytes of every file in the data directory (the SQLite database, its -wal and -shm, every object): no key.
        var needle = Encoding.UTF8.GetBytes(PrivacyScenario.Subject);
        foreach (var file in Directory.EnumerateFiles(_server.DataDir, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.True(copy.ToArray().AsSpan().IndexOf(needle) < 0, $"{Path.GetFileName(file)} holds the subject key");
        }

        // The model version shows the retraining flag.
        var version = Assert.Single((await _admin.GetFromJsonAsync<ModelVersionInfo[]>($"/api/v1/models/{Model}/versions"))!, v => v.Version == 1);
        Assert.NotNull(version.RetrainRequiredAt);
        Assert.Equal("erasure " + erasure.RequestId.ToString("D"), version.RetrainReason);

        // The receipt verifies offline with the audit public key, and not once altered or signed by another key.
        var keys = (await _admin.GetFromJsonAsync<AuditKeyList>("/api/v1/audit/keys"))!;
        var trusted = AuditExportVerifier.ReadTrustedKeys(string.Join('\n', keys.Keys.Select(k => k.PublicKeyPem)));
        Assert.True(ErasureReceipt.TryVerify(erasure.Receipt, trusted, out var statement, out var reason), reason);
        Assert.Equal(erasure.SubjectHmac, statement!["subject"]!["hmac"]!.GetValue<string>());
        Assert.Equal(2, statement["removed"]!["capturedPredictions"]!.GetValue<int>());
        Assert.Equal(6, statement["removed"]!["datasetRows"]!.GetValue<int>());
        Assert.DoesNotContain(PrivacyScenario.Subject, erasure.Receipt, StringComparison.Ordinal);

        var envelopeJson = JsonNode.Parse(erasure.Receipt)!;
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(envelopeJson["payload"]!.GetValue<string>()));
        envelopeJson["payload"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.Replace("\"capturedPredictions\":2", "\"capturedPredictions\":0", StringComparison.Ordinal)));
        Assert.False(ErasureReceipt.TryVerify(envelopeJson.ToJsonString(), trusted, out _, out _));

        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var statementBytes = Encoding.UTF8.GetBytes(payload);
        var forged = Dsse.Serialize(ErasureReceipt.PayloadType, statementBytes, trusted.Keys.First(),
            EcdsaP256.Sign(forger, Dsse.Pae(ErasureReceipt.PayloadType, statementBytes)));
        Assert.False(ErasureReceipt.TryVerify(forged, trusted, out _, out _));

        // A second erasure of the same subject finds nothing left.
        var again = (await (await _officer.PostAsJsonAsync("/api/v1/privacy/erasure", new SubjectRequest(PrivacyScenario.Subject))).Content.ReadFromJsonAsync<ErasureInfo>())!;
        Assert.Equal((0, 0, 0), (again.Datasets.Count, again.CapturedPredictions, again.FeedbackLabels));
    }

    private async Task<List<string>> DecryptedDatasetsAsync()
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        var artifacts = scope.ServiceProvider.GetRequiredService<ArtifactStore>();
        var texts = new List<string>();
        foreach (var dataset in await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().Datasets.IgnoreQueryFilters().ToListAsync())
        {
            texts.Add(Encoding.UTF8.GetString(await artifacts.GetAsync(DatasetImporter.ArtifactPurpose, dataset.StoredObjectId)));
        }

        return texts;
    }
}
