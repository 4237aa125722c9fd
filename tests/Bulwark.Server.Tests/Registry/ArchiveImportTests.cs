using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Registry;

/// <summary>
/// Hostile zips sent to the real import API over HTTPS: traversal names and zip bombs, flat and nested, are refused
/// with 422 <c>registry.archive-unsafe</c> before anything is unpacked, and each refusal is audited as critical.
/// </summary>
public sealed class ArchiveImportTests : IAsyncLifetime
{
    private const string Schema = """{"task":"binary","features":[{"name":"x","kind":"numeric"}],"classes":["no","yes"]}""";

    // Protocol 4 pickle of os.system("id"): the payload of a malicious PyTorch checkpoint. Never loaded, only sniffed.
    private static readonly byte[] OsSystemPickle =
    [
        0x80, 0x04, 0x95, 0x1b, 0, 0, 0, 0, 0, 0, 0,
        0x8c, 0x02, (byte)'o', (byte)'s', 0x94,
        0x8c, 0x06, .. "system"u8, 0x94,
        0x93, 0x94,
        0x8c, 0x02, (byte)'i', (byte)'d', 0x94,
        0x85, 0x94, 0x52, 0x94, 0x2e,
    ];

    private static readonly Lazy<byte[]> Bomb = new(() => Zip(("weights.bin", new byte[50 * 1024 * 1024])));

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static byte[] Zip(params (string Name, byte[] Data)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                entry.Write(data);
            }
        }

        return buffer.ToArray();
    }

    private static MultipartFormDataContent Form(byte[] model)
    {
        var file = new ByteArrayContent(model);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent
        {
            { file, "model", "model.onnx" },
            { new StringContent(Schema, Encoding.UTF8, "application/json"), "schema" },
        };
    }

    public static TheoryData<string> Attacks => ["dotdot", "absolute", "backslash", "ratio-bomb", "too-many-entries", "nested-dotdot", "nested-bomb"];

    private static byte[] Attack(string name) => name switch
    {
        "dotdot" => Zip(("archive/data.pkl", [0x80, 0x04, 0x4b, 0x2a, 0x2e]), ("../evil", [1])),
        "absolute" => Zip(("/etc/passwd", "root:x:0:0::/root:/bin/sh\n"u8.ToArray())),
        "backslash" => Zip(("..\\..\\evil.dll", [0x4d, 0x5a])),
        "ratio-bomb" => Bomb.Value,
        "too-many-entries" => Zip([.. Enumerable.Range(0, 10_001).Select(i => ($"t/{i}", Array.Empty<byte>()))]),
        "nested-dotdot" => Zip(("model/inner.zip", Zip(("../../evil", [1])))),
        "nested-bomb" => Zip(("inner.zip", Bomb.Value)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Import_HostileArchive_Is422ArchiveUnsafeAndAuditedCritical(string attack)
    {
        var model = "zip-" + attack;
        using var admin = _server.CreateClient(_server.AdminKey);

        var response = await admin.PostAsync($"/api/v1/models/{model}/versions", Form(Attack(attack)));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity, ErrorCodes.ArchiveUnsafe);
        Assert.Contains("unsafe zip archive", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var audit = Assert.Single(await RejectionsAsync(model));
        Assert.Contains(ErrorCodes.ArchiveUnsafe, audit, StringComparison.Ordinal);
        Assert.Contains("\"critical\"", audit, StringComparison.Ordinal);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync($"/api/v1/models/{model}/versions"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Import_HostileName_NotEchoedInDetail()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var response = await admin.PostAsync("/api/v1/models/zip-long-name/versions", Form(Zip(("../" + new string('A', 4000), [1]))));
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity, ErrorCodes.ArchiveUnsafe);
        Assert.DoesNotContain("AAAA", problem.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("AAAA", Assert.Single(await RejectionsAsync("zip-long-name")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_SafePyTorchZipImportingOsSystem_StillFormatUnsupportedCritical()
    {
        using var admin = _server.CreateClient(_server.AdminKey);
        var zip = Zip(("archive/data.pkl", OsSystemPickle), ("archive/data/0", new byte[4096]), ("archive/version", "3\n"u8.ToArray()));

        var response = await admin.PostAsync("/api/v1/models/zip-torch/versions", Form(zip));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, ErrorCodes.FormatUnsupported);
        Assert.Contains("os.system", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var audit = Assert.Single(await RejectionsAsync("zip-torch"));
        Assert.Contains(ErrorCodes.FormatUnsupported, audit, StringComparison.Ordinal);
        Assert.Contains("\"critical\"", audit, StringComparison.Ordinal);
    }

    private async Task<List<string>> RejectionsAsync(string model)
    {
        await using var scope = _server.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BulwarkDbContext>().AuditEvents.IgnoreQueryFilters()
            .Where(e => e.Code == AuditCodes.ModelImportRejected && e.Resource == "model/" + model).Select(e => e.Details).ToListAsync();
    }
}
