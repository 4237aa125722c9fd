using System.Net;
using System.Text;

namespace Bulwark.Server.Tests.Hosting;

/// <summary>
/// A body without Content-Length (HTTP/1.1 chunked, or HTTP/2 DATA frames with neither Content-Length nor
/// Transfer-Encoding) must meet the same content-type allow-list as one with it.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class UnknownLengthBodyTests(ServerFixture fixture)
{
    private TestServer Server => fixture.Server;

    private HttpClient Client(Version version)
    {
        var client = Server.CreateClient(Server.AdminKey);
        client.DefaultRequestVersion = version;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return client;
    }

    [Fact]
    public async Task Predict_ChunkedTextPlain_Is415()
    {
        using var client = Client(HttpVersion.Version11);
        using var content = new UnknownLengthContent("""{"instances":[{}]}""", "text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/fraud:predict") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await client.SendAsync(request);
        Assert.Equal(HttpVersion.Version11, response.Version);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported-media-type");
    }

    [Fact]
    public async Task Predict_Http2TextPlainWithoutContentLength_Is415()
    {
        using var client = Client(HttpVersion.Version20);
        using var content = new UnknownLengthContent("""{"instances":[{}]}""", "text/plain");
        var response = await client.PostAsync("/v1/models/fraud:predict", content);
        Assert.Equal(HttpVersion.Version20, response.Version);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported-media-type");
    }

    [Fact]
    public async Task ImportDataset_Http2TextPlainWithoutContentLength_Is415AndNothingImported()
    {
        // The dataset handler reads the raw body itself, so only the envelope stands between text/plain and an import.
        var name = "h2-" + Guid.NewGuid().ToString("N")[..12];
        using var client = Client(HttpVersion.Version20);
        using var content = new UnknownLengthContent("a,b,label\n1,2,yes\n2,3,no\n3,4,yes\n4,5,no\n", "text/plain");
        var response = await client.PostAsync($"/api/v1/datasets?name={name}&classification=public&label=label", content);
        Assert.Equal(HttpVersion.Version20, response.Version);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "request.unsupported-media-type");
        Assert.DoesNotContain(name, await client.GetStringAsync("/api/v1/datasets"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportDataset_Http2TextCsvWithoutContentLength_IsAccepted()
    {
        using var client = Client(HttpVersion.Version20);
        using var content = new UnknownLengthContent("a,b,label\n1,2,yes\n2,3,no\n3,4,yes\n4,5,no\n", "text/csv");
        var response = await client.PostAsync("/api/v1/datasets?name=h2-csv&classification=public&label=label", content);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A body whose length HttpClient cannot know, so it sends no Content-Length.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnknownLengthContent(string body, string mediaType)
        {
            _bytes = Encoding.UTF8.GetBytes(body);
            Headers.ContentType = new(mediaType);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
