using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Compliance.Reports;
using Bulwark.Core.Storage;
using Bulwark.Server.Tests.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Compliance;

/// <summary>
/// The compliance report must see what is true on disk and in the database now, not what was true at start: a healthy
/// instance passes its controls, and an instance weakened behind the server's back (key file opened up, an admin without
/// MFA, an audit row edited with raw SQL, a plaintext file among the encrypted objects) fails each with the right reason.
/// The report is signed: it verifies offline with the audit public key, and an edited copy does not.
/// </summary>
public sealed class ComplianceReportTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(SignedComplianceReportInfo Signed, string Text)> ReportAsync(HttpClient client, string framework)
    {
        var response = await client.GetAsync("/api/v1/compliance/report?framework=" + framework);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return (JsonSerializer.Deserialize<SignedComplianceReportInfo>(text, Json)!, text);
    }

    private static ComplianceControlInfo Control(SignedComplianceReportInfo signed, string id) => Assert.Single(signed.Report.Controls, c => c.Id == id);

    private async Task EnrolInitAdminAsync()
    {
        var init = _server.Init;
        var token = (await Users.LoginAsync(_server, init.AdminLogin, init.AdminPassword)).AccessToken;
        await Users.EnrolTotpAsync(_server, token, init.AdminMfaEnrolmentCode);
    }

    [Fact]
    public async Task HealthyInstance_KeyMfaAuditAndEncryptionControlsMet_AndTheReportVerifiesOffline()
    {
        await EnrolInitAdminAsync();
        using var officer = Users.Bearer(_server, await Users.SignedInWithMfaAsync(_server, "officer", [new RoleGrant("*", "security-officer")]));

        var (pci, text) = await ReportAsync(officer, "pci");
        Assert.Equal("pci", pci.Report.Framework);
        foreach (var id in new[] { "3.4/3.5", "3.6/3.7", "8.3/8.4", "10.2/10.3", "10.5.1", "12.10", "7" })
        {
            var control = Control(pci, id);
            Assert.True(control.Status == "met", $"{id}: {control.Status}: {control.Reason}");
        }

        Assert.Equal("0600", Control(pci, "3.6/3.7").Evidence["masterKeyMode"]);
        Assert.Equal("none", Control(pci, "8.3/8.4").Evidence["privilegedWithoutMfa"]);
        Assert.NotEqual("0", Control(pci, "3.4/3.5").Evidence["databaseEnvelopes"]);

        // The init key never expires: flagged as partial with the reason, not hidden.
        Assert.Equal("partial", Control(pci, "8.6").Status);
        Assert.Contains(_server.Init.AdminKeyPrefix, Control(pci, "8.6").Reason, StringComparison.Ordinal);

        var hipaa = (await ReportAsync(officer, "hipaa")).Signed;
        Assert.Equal("met", Control(hipaa, "164.312(a)(2)(ii)").Status);
        Assert.Equal("met", Control(hipaa, "164.312(b)").Status);
        Assert.Equal("met", Control(hipaa, "164.316(b)(2)(i)").Status);
        Assert.Equal("met", Control(hipaa, "164.312(e)(1)").Status);
        var gdpr = (await ReportAsync(officer, "gdpr")).Signed;
        Assert.Equal(["Art. 5(1)(f)", "Art. 25", "Art. 30", "Art. 32", "Art. 33", "Art. 17"], gdpr.Report.Controls.Select(c => c.Id));

        // Offline: the audit public key verifies the signature, and the signed payload is the report that was shown.
        var keys = (await officer.GetFromJsonAsync<AuditKeyList>("/api/v1/audit/keys"))!;
        var trusted = AuditExportVerifier.ReadTrustedKeys(string.Concat(keys.Keys.Select(k => k.PublicKeyPem)));
        Assert.True(ComplianceReporter.TryVerify(pci.Signature, trusted, out var verified, out _, out var error), error);
        Assert.Equal(pci.Report.Controls.Select(c => c.Status), verified!.Controls.Select(c => c.Status));

        // A copy with a control flipped to "met" no longer verifies.
        var envelope = JsonDocument.Parse(pci.Signature).RootElement;
        var payload = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(envelope.GetProperty("payload").GetString()!));
        var forged = pci.Signature.Replace(envelope.GetProperty("payload").GetString()!,
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(payload.Replace("\"partial\"", "\"met\"", StringComparison.Ordinal))), StringComparison.Ordinal);
        Assert.False(ComplianceReporter.TryVerify(forged, trusted, out _, out _, out _));

        // Generating a report is itself audited.
        await using var db = await _server.App.Services.GetRequiredService<IDbContextFactory<BulwarkDbContext>>().CreateDbContextAsync();
        Assert.Equal(3, await db.AuditEvents.CountAsync(e => e.Code == AuditCodes.ComplianceReportGenerated));
        Assert.Contains("\"report\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WeakenedInstance_EachWeaknessFlaggedNotMetWithItsReason()
    {
        await EnrolInitAdminAsync();

        // 1. The master key file opened to everyone after start (the startup check has already passed).
        File.SetUnixFileMode(_server.Init.MasterKeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        // 2. An administrator without a second factor.
        await Users.CreateAsync(_server, "lazyadmin", [new RoleGrant("*", "admin")]);

        // 3. An audit row edited in the SQLite file, behind the server's back.
        await using (var connection = new SqliteConnection($"Data Source={_server.Init.DatabasePath}"))
        {
            await connection.OpenAsync();
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE audit_events SET Outcome = 'denied' WHERE Sequence = (SELECT MIN(Sequence) + 1 FROM audit_events)";
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        // 4. A plaintext file among the encrypted objects.
        var stray = Path.Combine(_server.DataDir, "objects", "datasets", "stray.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(stray)!);
        await File.WriteAllTextAsync(stray, "card,email\n4111111111111111,a@example.com\n");

        using var admin = _server.CreateClient(_server.AdminKey);
        var (pci, _) = await ReportAsync(admin, "pci");

        var keys = Control(pci, "3.6/3.7");
        Assert.Equal("not met", keys.Status);
        Assert.Contains("mode 0644", keys.Reason, StringComparison.Ordinal);
        Assert.Equal("0644", keys.Evidence["masterKeyMode"]);

        var mfa = Control(pci, "8.3/8.4");
        Assert.Equal("not met", mfa.Status);
        Assert.Contains("lazyadmin", mfa.Reason, StringComparison.Ordinal);

        var chain = Control(pci, "10.2/10.3");
        Assert.Equal("not met", chain.Status);
        Assert.Contains("first broken sequence", chain.Reason, StringComparison.Ordinal);
        Assert.Equal("false", chain.Evidence["chainValid"]);

        var pan = Control(pci, "3.4/3.5");
        Assert.Equal("not met", pan.Status);
        Assert.Contains("objects/datasets/stray.csv", pan.Reason, StringComparison.Ordinal);

        var hipaa = (await ReportAsync(admin, "hipaa")).Signed;
        Assert.Equal("not met", Control(hipaa, "164.312(b)").Status);
        Assert.Equal("not met", Control(hipaa, "164.312(d)").Status);
        Assert.Equal("not met", Control(hipaa, "164.312(a)(2)(iv)").Status);
        Assert.True(hipaa.Report.NotMet >= 4);
    }

    [Theory]
    [InlineData("framework=sox", "compliance.framework-unknown")]
    [InlineData("framework=", "compliance.framework-unknown")]
    [InlineData("framework=pci&days=0", "request.invalid")]
    [InlineData("framework=pci&days=100000", "request.invalid")]
    public async Task BadQuery_Rejected400(string query, string code)
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/api/v1/compliance/report?" + query), HttpStatusCode.BadRequest, code);
    }
}
