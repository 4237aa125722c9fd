using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Crypto;
using Bulwark.Core.Datasets;
using Bulwark.Core.Projects;
using Bulwark.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Datasets;

/// <summary>
/// "A PAN is never stored in clear", attacked over real HTTPS: a canary card number is uploaded under each project PAN
/// policy and then looked for in the response bodies, the SQLite files, the encrypted objects (and what they decrypt
/// to), the audit ledger and every log line the server wrote, at every level.
/// </summary>
public sealed class PanPolicyTests(PanPolicyFixture fixture) : IClassFixture<PanPolicyFixture>
{
    private TestServer Server => fixture.Server;

    private Task<(HttpResponseMessage Response, string Body)> ImportAsync(string project, string csv, string query = "name=cards&classification=internal&label=label")
    {
        var client = fixture.AdminIn(project);
        return fixture.SendAsync(client, c => c.PostAsync("/api/v1/datasets?" + query, new StringContent(csv, Encoding.UTF8, "text/csv")));
    }

    private async Task<string> GetAsync(string project, string path)
    {
        using var client = fixture.AdminIn(project);
        var (response, body) = await fixture.SendAsync(client, c => c.GetAsync(path));
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return body;
    }

    /// <summary>Every place the canary must not be: files on disk, decrypted objects and sealed schemas, ledger, logs, responses.</summary>
    private async Task AssertCanaryNowhereAsync(string canary, string project)
    {
        var needles = PanPolicyFixture.Needles(canary);
        bool Holds(ReadOnlySpan<byte> bytes)
        {
            foreach (var needle in needles)
            {
                if (bytes.IndexOf(needle) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        // The data directory as someone copying it would see it: the database, its WAL, the encrypted objects.
        foreach (var path in Directory.EnumerateFiles(Server.DataDir, "*", SearchOption.AllDirectories))
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            Assert.False(Holds(buffer.ToArray()), $"{Path.GetRelativePath(Server.DataDir, path)} holds the card number");
        }

        // Encryption alone would pass the check above: what the objects and sealed schemas decrypt to must not hold it either.
        await using (var scope = Server.App.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ProjectScope>().Enter(project);
            var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
            var artifacts = Server.App.Services.GetRequiredService<ArtifactStore>();
            var catalog = scope.ServiceProvider.GetRequiredService<DatasetCatalog>();
            foreach (var dataset in await db.Datasets.AsNoTracking().ToListAsync())
            {
                Assert.False(Holds(await artifacts.GetAsync(DatasetImporter.ArtifactPurpose, dataset.Id.ToString("N"))), $"dataset {dataset.Id} decrypts to the card number");
                Assert.False(Holds(Encoding.UTF8.GetBytes(catalog.ReadSchema(dataset).Value!.ToJson())), $"the schema of {dataset.Id} holds the card number");
            }

            var ledger = await db.AuditEvents.IgnoreQueryFilters().AsNoTracking().ToListAsync();
            Assert.NotEmpty(ledger);
            Assert.DoesNotContain(ledger, e => Holds(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(e))));
        }

        Assert.NotEmpty(fixture.LogLines);
        Assert.DoesNotContain(fixture.LogLines, l => Holds(Encoding.UTF8.GetBytes(l)));
        Assert.DoesNotContain(fixture.Responses, r => Holds(Encoding.UTF8.GetBytes(r)));
    }

    /// <summary>What the ledger export and search, the listing and the dataset itself return, recorded for the checks.</summary>
    private async Task ReadEverythingAsync(string project)
    {
        var datasets = JsonSerializer.Deserialize<DatasetInfo[]>(await GetAsync(project, "/api/v1/datasets"), JsonSerializerOptions.Web)!;
        foreach (var dataset in datasets)
        {
            await GetAsync(project, $"/api/v1/datasets/{dataset.Id}");
        }

        await GetAsync(project, "/api/v1/audit/events?limit=500");
        await GetAsync(project, "/api/v1/audit/export");
    }

    [Fact]
    public async Task Import_RejectPolicy_Is422NamingColumnAndRow_AndThePanIsNowhere()
    {
        var canary = PanPolicyFixture.NewCanary();

        var (response, body) = await ImportAsync(PanPolicyFixture.Reject, PanPolicyFixture.Csv(canary));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity, ErrorCodes.DatasetPanDetected);
        Assert.Equal("card", problem.GetProperty("column").GetString());
        Assert.Equal(1, problem.GetProperty("row").GetInt32());
        Assert.Contains("Row 1 (line 2), column 'card'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(canary, body, StringComparison.Ordinal);
        Assert.Contains(fixture.LogLines, l => l.Contains("rejected: dataset.pan-detected", StringComparison.Ordinal));
        Assert.Empty(JsonSerializer.Deserialize<DatasetInfo[]>(await GetAsync(PanPolicyFixture.Reject, "/api/v1/datasets"), JsonSerializerOptions.Web)!);
        await ReadEverythingAsync(PanPolicyFixture.Reject);
        await AssertCanaryNowhereAsync(canary, PanPolicyFixture.Reject);
    }

    [Theory]
    [InlineData(PanPolicyFixture.Truncate, "truncated")]
    [InlineData(PanPolicyFixture.Tokenise, "tokenised")]
    public async Task Import_TruncateOrTokenise_SucceedsTaggedRestricted_AndThePanIsNowhere(string project, string protection)
    {
        var canary = PanPolicyFixture.NewCanary();

        var (response, body) = await ImportAsync(project, PanPolicyFixture.Csv(canary));

        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var id = JsonSerializer.Deserialize<DatasetInfo>(body, JsonSerializerOptions.Web)!.Id;
        var info = JsonSerializer.Deserialize<DatasetInfo>(await GetAsync(project, $"/api/v1/datasets/{id}"), JsonSerializerOptions.Web)!;
        Assert.Equal("restricted", info.Classification); // declared internal; card data makes it restricted
        var card = info.Columns.Single(c => c.Name == "card");
        Assert.Equal(("identifier", "pci", "card-number", protection), (card.Kind, card.Tag, card.Detected, card.Protection));
        Assert.Null(card.Categories);
        var notes = info.Columns.Single(c => c.Name == "notes");
        Assert.Equal(("pci", protection), (notes.Tag, notes.Protection));
        var email = info.Columns.Single(c => c.Name == "email");
        Assert.Equal(("pii", "email"), (email.Tag, email.Detected));
        Assert.Null(email.Categories); // the addresses themselves are not listed
        Assert.Null(info.Columns.Single(c => c.Name == "amount").Tag);
        Assert.NotNull(info.Columns.Single(c => c.Name == "amount").Max);

        // The stored rows hold the protected form, and equal cards (however written) the same one.
        var stored = Encoding.UTF8.GetString(await Server.App.Services.GetRequiredService<ArtifactStore>().GetAsync(DatasetImporter.ArtifactPurpose, id.ToString("N")));
        var rows = stored.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Split(',')).ToList();
        var shape = protection == "truncated" ? @"\A[0-9]{6}\*{6}[0-9]{4}\z" : @"\Atok_[a-z2-7]{26}\z";
        Assert.All(rows, r => Assert.Matches(shape, r[1]));
        Assert.Equal(rows[0][1], rows[5][1]);
        if (protection == "truncated")
        {
            Assert.Equal($"{canary[..6]}******{canary[^4..]}", rows[0][1]);
        }

        Assert.Contains($"refund to {rows[0][1]}, done", stored, StringComparison.Ordinal);
        Assert.Contains(fixture.LogLines, l => l.Contains($"Dataset {id}: card numbers in 13 cells of 2 columns replaced", StringComparison.Ordinal));

        await ReadEverythingAsync(project);
        await AssertCanaryNowhereAsync(canary, project);
    }

    [Fact]
    public async Task Import_DeclaredTagsInMultipart_AreHonoured()
    {
        var canary = PanPolicyFixture.NewCanary();
        using var form = new MultipartFormDataContent
        {
            { new StringContent("declared"), "name" },
            { new StringContent("public"), "classification" },
            { new StringContent("label"), "label" },
            { new StringContent("customer:pii,email:none,label:phi,card:pci"), "tags" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(PanPolicyFixture.Csv(canary)));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "cards.csv");
        using var client = fixture.AdminIn(PanPolicyFixture.Truncate);

        var (response, body) = await fixture.SendAsync(client, c => c.PostAsync("/api/v1/datasets", form));

        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var info = JsonSerializer.Deserialize<DatasetInfo>(body, JsonSerializerOptions.Web)!;
        Assert.Equal("pii", info.Columns.Single(c => c.Name == "customer").Tag);
        var email = info.Columns.Single(c => c.Name == "email");
        Assert.Equal((null, "email"), (email.Tag, email.Detected)); // declared none wins; the finding stays visible
        Assert.NotNull(email.Categories);
        Assert.Equal("phi", info.Columns.Single(c => c.Name == "label").Tag);
        Assert.Equal("pci", info.Columns.Single(c => c.Name == "card").Tag);
        Assert.Equal("restricted", info.Classification);
        await AssertCanaryNowhereAsync(canary, PanPolicyFixture.Truncate);
    }

    [Theory]
    [InlineData("card:none")]
    [InlineData("card:pii")]
    [InlineData("notes:none")]
    public async Task Import_CardColumnDeclaredNotPci_Is422TagConflictAndNothingIsStored(string tags)
    {
        var canary = PanPolicyFixture.NewCanary();
        var before = JsonSerializer.Deserialize<DatasetInfo[]>(await GetAsync(PanPolicyFixture.Tokenise, "/api/v1/datasets"), JsonSerializerOptions.Web)!.Length;

        var (response, body) = await ImportAsync(PanPolicyFixture.Tokenise, PanPolicyFixture.Csv(canary), $"name=cards&classification=internal&label=label&tags={tags}");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity, ErrorCodes.DatasetTagConflict);
        Assert.Equal(tags.Split(':')[0], problem.GetProperty("column").GetString());
        Assert.DoesNotContain(canary[6..], body, StringComparison.Ordinal);
        var after = JsonSerializer.Deserialize<DatasetInfo[]>(await GetAsync(PanPolicyFixture.Tokenise, "/api/v1/datasets"), JsonSerializerOptions.Web)!.Length;
        Assert.Equal(before, after);
        await AssertCanaryNowhereAsync(canary, PanPolicyFixture.Tokenise);
    }

    [Theory]
    [InlineData("a,b\n1,{0}\"x\n", HttpStatusCode.BadRequest, "dataset.csv-malformed")]
    [InlineData("a,b\n1,\"{0}\n", HttpStatusCode.BadRequest, "dataset.csv-malformed")]
    [InlineData("a,b\n1,2,{0}\n", HttpStatusCode.BadRequest, "dataset.csv-malformed")]
    [InlineData("a,c{0}\n1,2\n", HttpStatusCode.UnprocessableEntity, "dataset.pan-detected")]
    public async Task Import_BadCsvHoldingTheCard_FailsWithoutEchoingIt(string template, HttpStatusCode status, string code)
    {
        var canary = PanPolicyFixture.NewCanary();
        var csv = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, canary);

        var (response, body) = await ImportAsync(PanPolicyFixture.Truncate, csv, "name=bad&classification=internal");

        await ProblemAssert.IsProblemAsync(response, status, code);
        Assert.DoesNotContain(canary, body, StringComparison.Ordinal);
        await AssertCanaryNowhereAsync(canary, PanPolicyFixture.Truncate);
    }

    [Fact]
    public async Task Import_CardInTheQueryString_IsRefused_AndTheRequestLogDoesNotPrintIt()
    {
        // The hosting request log prints URLs with their query strings; it is held at Warning so a careless caller's
        // card number in "?name=" never reaches the log.
        var canary = PanPolicyFixture.NewCanary();

        var (response, body) = await ImportAsync(PanPolicyFixture.Truncate, PanPolicyFixture.Csv(PanPolicyFixture.NewCanary()), $"name=card{canary}&classification=internal");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnprocessableEntity, ErrorCodes.DatasetPanDetected);
        Assert.DoesNotContain(canary, body, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.LogLines, l => l.Contains(canary, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.LogLines, l => l.Contains("Request starting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Import_CardInTheNameOrInAnUnknownTag_FailsWithoutEchoingIt()
    {
        // Multipart, so the card travels in the body as a careless client would send it, not in a logged URL.
        var canary = PanPolicyFixture.NewCanary();
        async Task<(HttpResponseMessage, string)> SendAsync(string name, string tags)
        {
            using var form = new MultipartFormDataContent
            {
                { new StringContent(name), "name" },
                { new StringContent("internal"), "classification" },
                { new StringContent(tags), "tags" },
            };
            var file = new ByteArrayContent("a,b\n1,2\n"u8.ToArray());
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(file, "file", "x.csv");
            using var client = fixture.AdminIn(PanPolicyFixture.Truncate);
            return await fixture.SendAsync(client, c => c.PostAsync("/api/v1/datasets", form));
        }

        var (named, namedBody) = await SendAsync("card " + PanPolicyFixture.Grouped(canary, ' '), "");
        var (tagged, taggedBody) = await SendAsync("ok", $"c{canary}:pii");

        await ProblemAssert.IsProblemAsync(named, HttpStatusCode.UnprocessableEntity, ErrorCodes.DatasetPanDetected);
        await ProblemAssert.IsProblemAsync(tagged, HttpStatusCode.BadRequest, ErrorCodes.DatasetInvalid);
        Assert.Contains(canary[^4..], taggedBody, StringComparison.Ordinal);
        Assert.DoesNotContain(canary, namedBody + taggedBody, StringComparison.Ordinal);
        await AssertCanaryNowhereAsync(canary, PanPolicyFixture.Truncate);
    }
}
