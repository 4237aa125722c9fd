using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Bulwark.Client.Contracts;

namespace Bulwark.Server.Tests.Datasets;

[Collection(ServerCollection.Name)]
public sealed class DatasetsEndpointsTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private const string SmallCsv = "a,b,c,label\n1,2,x,yes\n2,3,y,no\n3,4,x,yes\n4,5,y,no\n";

    [Fact]
    public async Task Import_TextCsv_Returns201AndIsListed()
    {
        var writer = await Server.CreateKeyAsync(["datasets:write", "datasets:read"]);
        using var client = Server.CreateClient(writer.Key);
        var response = await client.PostAsync("/api/v1/datasets?name=small&classification=internal&label=label", new StringContent(SmallCsv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var info = await response.Content.ReadFromJsonAsync<DatasetInfo>();
        Assert.Equal("small", info!.Name);
        Assert.Equal("internal", info.Classification);
        Assert.Equal(4, info.RowCount);
        Assert.Equal($"/api/v1/datasets/{info.Id}", response.Headers.Location?.OriginalString);
        Assert.Contains(info.Columns, c => c.Name == "label" && c.Kind == "label");

        var fetched = await client.GetFromJsonAsync<DatasetInfo>($"/api/v1/datasets/{info.Id}");
        Assert.Equal(info.ContentDigest, fetched!.ContentDigest);
        var list = await client.GetFromJsonAsync<DatasetInfo[]>("/api/v1/datasets");
        Assert.Contains(list!, d => d.Id == info.Id);
    }

    [Fact]
    public async Task Import_Multipart_Returns201()
    {
        using var client = Server.CreateClient(Server.AdminKey);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("multi"), "name" },
            { new StringContent("confidential"), "classification" },
            { new StringContent("label"), "label" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(SmallCsv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "small.csv");
        var response = await client.PostAsync("/api/v1/datasets", form);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal("confidential", (await response.Content.ReadFromJsonAsync<DatasetInfo>())!.Classification);
    }

    [Fact]
    public async Task Import_MalformedCsv_Is400NamingTheRow()
    {
        using var client = Server.CreateClient(Server.AdminKey);
        var response = await client.PostAsync("/api/v1/datasets?name=bad&classification=public", new StringContent("a,b\n1,2\n3\n", Encoding.UTF8, "text/csv"));
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "dataset.csv-malformed");
        Assert.Contains("3", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("2")]
    [InlineData("")]
    public async Task Import_BadClassification_Is400(string classification)
    {
        using var client = Server.CreateClient(Server.AdminKey);
        var response = await client.PostAsync($"/api/v1/datasets?name=x&classification={classification}", new StringContent(SmallCsv, Encoding.UTF8, "text/csv"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "dataset.invalid");
    }

    [Fact]
    public async Task Import_JsonContentType_Is415()
    {
        using var client = Server.CreateClient(Server.AdminKey);
        var response = await client.PostAsync("/api/v1/datasets?name=x&classification=public", new StringContent("{}", Encoding.UTF8, "application/json"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported-media-type");
    }

    [Fact]
    public async Task Import_ReadOnlyKey_Is403()
    {
        var reader = await Server.CreateKeyAsync(["datasets:read"]);
        using var client = Server.CreateClient(reader.Key);
        var response = await client.PostAsync("/api/v1/datasets?name=x&classification=public", new StringContent(SmallCsv, Encoding.UTF8, "text/csv"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "auth.forbidden");
    }

    [Fact]
    public async Task Get_Unknown_Is404()
    {
        using var client = Server.CreateClient(Server.AdminKey);
        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/api/v1/datasets/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "dataset.not-found");
    }

    [Theory]
    [InlineData("x%0A", null)]
    [InlineData("x%0D%0A", null)]
    [InlineData("x", "label%0A")]
    public async Task Import_NameWithTrailingNewline_Is400(string name, string? label)
    {
        using var client = Server.CreateClient(Server.AdminKey);
        var query = $"/api/v1/datasets?name={name}&classification=public" + (label is null ? "" : $"&label={label}");
        var response = await client.PostAsync(query, new StringContent(SmallCsv, Encoding.UTF8, "text/csv"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "dataset.invalid");
    }

    [Fact]
    public async Task Import_HeaderNameWithTrailingNewline_Is400()
    {
        // RFC 4180 lets a quoted field hold a line break, so a header cell can end in "\n".
        using var client = Server.CreateClient(Server.AdminKey);
        var csv = "\"a\n\",b,label\n1,2,yes\n2,3,no\n3,4,yes\n4,5,no\n";
        var response = await client.PostAsync("/api/v1/datasets?name=header-nl&classification=public", new StringContent(csv, Encoding.UTF8, "text/csv"));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "dataset.csv-malformed");
    }
}
