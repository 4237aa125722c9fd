using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Bulwark.Core.Audit;
using Bulwark.Core.Crypto;
using Bulwark.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Core.Tests.Audit;

/// <summary>Offline verification of exports: every way of altering the file must be caught and the first broken link named.</summary>
public sealed class AuditExportTests
{
    private static async Task<(CoreTestEnvironment Env, List<string> Lines, IReadOnlyDictionary<string, byte[]> Keys)> ExportAsync(int events, long from = 1, long? to = null)
    {
        var env = await CoreTestEnvironment.CreateAsync();
        var ledger = env.Services.GetRequiredService<AuditLedger>();
        for (var i = 1; i <= events; i++)
        {
            await using var scope = env.Scope();
            await ledger.SaveChangesAsync(scope.ServiceProvider.GetRequiredService<BulwarkDbContext>(),
                new AuditEntry(AuditCodes.DatasetImported, "dataset.import", "key:bwk_test", $"dataset/{i}", "success", "127.0.0.1",
                    new Dictionary<string, object?> { ["n"] = i }));
            if (i == events / 2)
            {
                await env.Services.GetRequiredService<AuditCheckpointer>().CheckpointAsync("test", null);
            }
        }

        await using (var scope = env.Scope())
        {
            var exporter = scope.ServiceProvider.GetRequiredService<AuditExporter>();
            var range = await exporter.PlanAsync(from, to, "test", null, CancellationToken.None);
            using var buffer = new MemoryStream();
            await exporter.WriteAsync(buffer, range!, CancellationToken.None);
            var lines = Encoding.UTF8.GetString(buffer.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            var keys = env.Services.GetRequiredService<AuditKeyStore>().Current.Trusted.ToDictionary(k => k.Key, k => k.Value.SubjectPublicKeyInfo);
            return (env, lines, keys);
        }
    }

    private static Task<AuditExportReport> VerifyAsync(IEnumerable<string> lines, IReadOnlyDictionary<string, byte[]> keys) =>
        AuditExportVerifier.VerifyAsync(new StringReader(string.Join('\n', lines) + "\n"), keys);

    private static int IndexOfEvent(List<string> lines, long sequence) =>
        lines.FindIndex(l => l.StartsWith("{\"type\":\"event\",", StringComparison.Ordinal) && JsonNode.Parse(l)!["sequence"]!.GetValue<long>() == sequence);

    [Fact]
    public async Task Verify_UntouchedExport_IsValid()
    {
        var (env, lines, keys) = await ExportAsync(10);
        await using var _ = env;

        var report = await VerifyAsync(lines, keys);

        Assert.True(report.Valid, report.Reason);
        Assert.True(report.EventsVerified >= 11); // 10 events, the checkpoint record, the export's own checkpoint record
        Assert.True(report.CheckpointsVerified >= 1);
    }

    [Fact]
    public async Task Verify_EditedRow_NamesIt()
    {
        var (env, lines, keys) = await ExportAsync(10);
        await using var _ = env;
        var i = IndexOfEvent(lines, 4);
        lines[i] = lines[i].Replace("dataset/4", "dataset/x", StringComparison.Ordinal);

        var report = await VerifyAsync(lines, keys);

        Assert.False(report.Valid);
        Assert.Equal(4, report.FirstBrokenSequence);
        Assert.Contains("hash", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_DeletedRow_NamesTheGap()
    {
        var (env, lines, keys) = await ExportAsync(10);
        await using var _ = env;
        lines.RemoveAt(IndexOfEvent(lines, 7));

        var report = await VerifyAsync(lines, keys);

        Assert.False(report.Valid);
        Assert.Equal(7, report.FirstBrokenSequence);
        Assert.Equal(6, report.EventsVerified);
    }

    [Fact]
    public async Task Verify_ReorderedRows_Fails()
    {
        var (env, lines, keys) = await ExportAsync(10);
        await using var _ = env;
        var a = IndexOfEvent(lines, 3);
        var b = IndexOfEvent(lines, 4);
        (lines[a], lines[b]) = (lines[b], lines[a]);

        var report = await VerifyAsync(lines, keys);

        Assert.False(report.Valid);
        Assert.Equal(3, report.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verify_TailCutOff_Fails()
    {
        var (env, lines, keys) = await ExportAsync(10);
        await using var _ = env;

        // Without the signature line.
        var noSignature = await VerifyAsync(lines.SkipLast(1), keys);
        Assert.False(noSignature.Valid);
        Assert.Contains("cut off", noSignature.Reason, StringComparison.Ordinal);

        // The last two events removed, the signature line kept.
        var cut = lines.ToList();
        cut.RemoveRange(cut.Count - 3, 2);
        var report = await VerifyAsync(cut, keys);
        Assert.False(report.Valid);
        Assert.Matches("truncated|cut off", report.Reason);
        Assert.Equal(report.EventsVerified + 1, report.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verify_FirstEventRemoved_Fails()
    {
        var (env, lines, keys) = await ExportAsync(10, from: 3);
        await using var _ = env;
        Assert.True((await VerifyAsync(lines, keys)).Valid);
        lines.RemoveAt(IndexOfEvent(lines, 3));

        var report = await VerifyAsync(lines, keys);

        Assert.False(report.Valid);
        Assert.Equal(3, report.FirstBrokenSequence);
    }

    [Fact]
    public async Task Verify_WithAnotherKey_Fails()
    {
        var (env, lines, _) = await ExportAsync(6);
        await using var __ = env;
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = other.ExportSubjectPublicKeyInfo();

        var report = await VerifyAsync(lines, new Dictionary<string, byte[]> { [EcdsaP256.KeyIdOf(spki)] = spki });

        Assert.False(report.Valid);
        Assert.Contains("does not verify", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ForgedStatementWithKeysCarriedInTheFile_Fails()
    {
        // An attacker rewrites the file, re-signs it with their own key and puts that key in the file: the verifier only
        // trusts the keys it was given.
        var (env, lines, keys) = await ExportAsync(6);
        await using var _ = env;
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = attacker.ExportSubjectPublicKeyInfo();
        var statement = Encoding.UTF8.GetBytes("""{"type":"bulwark.audit.export-statement/v1","from":1,"to":1,"firstSequence":1,"firstPreviousHash":"","lastSequence":1,"lastHash":"","events":1,"exportedAt":0}""");
        var envelope = Dsse.Serialize(AuditExportFormat.StatementPayloadType, statement, EcdsaP256.KeyIdOf(spki),
            EcdsaP256.Sign(attacker, Dsse.Pae(AuditExportFormat.StatementPayloadType, statement)));
        lines[^1] = $$"""{"type":"signature","envelope":{{envelope}}}""";
        lines.Insert(1, $$"""{"type":"key","keyId":"{{EcdsaP256.KeyIdOf(spki)}}","publicKey":"x"}""");

        var report = await VerifyAsync(lines, keys);

        Assert.False(report.Valid);
    }

    [Fact]
    public async Task Verify_GarbageLines_FailWithoutThrowing()
    {
        var (env, lines, keys) = await ExportAsync(4);
        await using var _ = env;
        lines[IndexOfEvent(lines, 2)] = """{"type":"event","sequence":"two"}""";

        var report = await VerifyAsync(lines, keys);

        Assert.False(report.Valid);
        Assert.Equal(2, report.FirstBrokenSequence);
        Assert.False((await VerifyAsync(["not json"], keys)).Valid);
        Assert.False((await VerifyAsync([], keys)).Valid);
    }

    [Theory]
    [InlineData("forged-event")]
    [InlineData("garbage")]
    [InlineData("second-signature")]
    public async Task Verify_AnythingAfterTheSignatureLine_Fails(string appended)
    {
        // The signed statement must be the end of the file: lines after it are vouched for by nothing.
        var (env, lines, keys) = await ExportAsync(6);
        await using var _ = env;
        var lastEvent = lines[^2];
        var last = JsonNode.Parse(lastEvent)!["sequence"]!.GetValue<long>();
        lines.Add(appended switch
        {
            "forged-event" => lastEvent.Replace($"\"sequence\":{last},", $"\"sequence\":{last + 1},", StringComparison.Ordinal),
            "garbage" => "not json at all",
            _ => lines[^1],
        });

        var report = await VerifyAsync(lines, keys);

        Assert.False(report.Valid);
        Assert.Equal(last + 1, report.FirstBrokenSequence);
        Assert.Contains("after the signed export statement", report.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_BlankLinesAfterTheSignature_AreAccepted()
    {
        var (env, lines, keys) = await ExportAsync(4);
        await using var _ = env;

        var report = await AuditExportVerifier.VerifyAsync(new StringReader(string.Join('\n', lines) + "\n\n  \r\n\t\n"), keys);

        Assert.True(report.Valid, report.Reason);
    }
}
