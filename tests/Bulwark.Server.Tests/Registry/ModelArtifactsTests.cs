using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Client.Contracts;
using Bulwark.Core.Audit;
using Bulwark.Core.Registry;
using Bulwark.Core.Storage;
using Bulwark.Server.Authentication;
using Bulwark.Server.Tests.Projects;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bulwark.Server.Tests.Registry;

/// <summary>
/// Export, signature, signing key and AI BOM over real HTTPS, in two tenants: what alpha exports verifies offline with
/// the published key alone; predict-only keys, read-only keys and the other tenant get nothing.
/// </summary>
public sealed class ModelArtifactsTests(TwoProjectsFixture fixture) : IClassFixture<TwoProjectsFixture>
{
    private TwoProjectsFixture.Tenant Alpha => fixture.Tenants["alpha"];
    private TwoProjectsFixture.Tenant Beta => fixture.Tenants["beta"];
    private string ExportPath(ModelVersionInfo v) => $"/api/v1/models/{v.Model}/versions/{v.Version}/export";

    private HttpClient Client(string key, string? project = null)
    {
        var client = fixture.Server.CreateClient(key);
        if (project is not null)
        {
            client.DefaultRequestHeaders.Add(ProjectResolutionMiddleware.ProjectHeader, project);
        }

        return client;
    }

    private async Task<string> KeyAsync(string scope)
    {
        using var admin = Client(Alpha.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/v1/keys", new CreateApiKeyRequest(scope + "-only", [scope]));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedApiKeyInfo>())!.Key;
    }

    [Fact]
    public async Task Export_ByProjectAdmin_VerifiesOfflineWithThePublishedKeyOnly()
    {
        using var admin = Client(Alpha.AdminKey);
        var key = (await admin.GetFromJsonAsync<ModelSigningKeyInfo>("/api/v1/models/signing-key"))!;
        var response = await admin.GetAsync(ExportPath(Alpha.Production));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        var dir = Directory.CreateTempSubdirectory("bulwark-export-").FullName;
        try
        {
            using (var zip = new ZipArchive(await response.Content.ReadAsStreamAsync()))
            {
                zip.ExtractToDirectory(dir);
            }

            var bundle = Path.Combine(dir, "model.sig");
            var result = ModelDirectoryVerifier.Verify(dir, await File.ReadAllBytesAsync(bundle), key.PublicKeyPem, bundle);

            Assert.True(result.Valid, result.Detail);
            Assert.Equal((TwoProjectsFixture.SharedModel, Alpha.Production.Version), (result.Content!.Model, result.Content.Version));
            Assert.Equal(response.Headers.GetValues("Bulwark-Root-Digest").Single(), result.Statement!.RootDigest);
            Assert.Equal(key.PublicKeyHint, JsonDocument.Parse(await File.ReadAllBytesAsync(bundle)).RootElement
                .GetProperty("verificationMaterial").GetProperty("publicKey").GetProperty("hint").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Export_IsAuditedWithWhoAndWhatDigest()
    {
        using var admin = Client(Alpha.AdminKey);
        var me = (await admin.GetFromJsonAsync<WhoAmI>("/api/v1/auth/me"))!;
        var response = await admin.GetAsync(ExportPath(Alpha.Production));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var zip = await response.Content.ReadAsByteArrayAsync();

        await using var scope = fixture.Server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BulwarkDbContext>();
        var events = await db.AuditEvents.IgnoreQueryFilters().AsNoTracking().Where(e => e.Code == AuditCodes.ModelExported && e.Action == "model.export").ToListAsync();
        var digest = ModelManifest.Sha256Hex(zip);
        var exported = Assert.Single(events, e => e.Details.Contains(digest, StringComparison.Ordinal));
        Assert.Equal((me.Id, "alpha", $"model/{TwoProjectsFixture.SharedModel}/{Alpha.Production.Version}", "success"),
            (exported.Principal, exported.ProjectId, exported.Resource, exported.Outcome));
    }

    [Fact]
    public async Task ExportAndSignature_PredictOnlyKey_Forbidden()
    {
        using var predict = Client(Alpha.PredictKey);

        await ProblemAssert.IsProblemAsync(await predict.GetAsync(ExportPath(Alpha.Production)), HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        await ProblemAssert.IsProblemAsync(await predict.GetAsync($"/api/v1/models/{TwoProjectsFixture.SharedModel}/versions/{Alpha.Production.Version}/signature"),
            HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        await ProblemAssert.IsProblemAsync(await predict.GetAsync($"/api/v1/models/{TwoProjectsFixture.SharedModel}/versions/{Alpha.Production.Version}/bom"),
            HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
    }

    [Fact]
    public async Task ExportAndSignature_ReadOnlyKey_ForbiddenButBomAllowed()
    {
        using var reader = Client(await KeyAsync(Bulwark.Core.Identity.Permissions.ModelsRead));

        await ProblemAssert.IsProblemAsync(await reader.GetAsync(ExportPath(Alpha.Production)), HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        await ProblemAssert.IsProblemAsync(await reader.GetAsync($"/api/v1/models/{TwoProjectsFixture.SharedModel}/versions/{Alpha.Production.Version}/signature"),
            HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/v1/models/{TwoProjectsFixture.SharedModel}/versions/{Alpha.Production.Version}/bom")).StatusCode);
    }

    [Fact]
    public async Task Export_ExportOnlyKey_Allowed()
    {
        using var exporter = Client(await KeyAsync(Bulwark.Core.Identity.Permissions.ModelsExport));

        Assert.Equal(HttpStatusCode.OK, (await exporter.GetAsync(ExportPath(Alpha.Production))).StatusCode);
    }

    [Fact]
    public async Task Export_AnotherProjectsKey_SeesNothingOfAlpha()
    {
        using var beta = Client(Beta.AdminKey);
        using var betaAskingForAlpha = Client(Beta.AdminKey, "alpha");

        // The model that only alpha has: a missing model for beta, not a forbidden one.
        await ProblemAssert.IsProblemAsync(await beta.GetAsync($"/api/v1/models/{TwoProjectsFixture.AlphaOnlyModel}/versions/1/export"),
            HttpStatusCode.NotFound, ErrorCodes.ModelNotFound);
        await ProblemAssert.IsProblemAsync(await beta.GetAsync($"/api/v1/models/{TwoProjectsFixture.AlphaOnlyModel}/versions/1/signature"),
            HttpStatusCode.NotFound, ErrorCodes.ModelNotFound);
        await ProblemAssert.IsProblemAsync(await betaAskingForAlpha.GetAsync(ExportPath(Alpha.Production)), HttpStatusCode.NotFound, ErrorCodes.ProjectNotFound);

        // The shared name resolves to beta's own version (the same data may well give the same bytes, so compare ids).
        using var alphaAdmin = Client(Alpha.AdminKey);
        Assert.NotEqual(await SignedVersionIdAsync(alphaAdmin, Alpha.Production), await SignedVersionIdAsync(beta, Beta.Production));
    }

    private static async Task<Guid> SignedVersionIdAsync(HttpClient client, ModelVersionInfo version)
    {
        var bundle = await client.GetByteArrayAsync($"/api/v1/models/{version.Model}/versions/{version.Version}/signature");
        Assert.True(OmsBundle.TryParse(bundle, out var parsed, out _));
        Assert.True(ModelManifest.TryParse(parsed.Envelope.Payload, out var manifest, out _));
        return manifest.Content.VersionId;
    }

    [Fact]
    public async Task Export_UnknownVersion_404WithStableCode()
    {
        using var admin = Client(Alpha.AdminKey);

        await ProblemAssert.IsProblemAsync(await admin.GetAsync($"/api/v1/models/{TwoProjectsFixture.SharedModel}/versions/999/export"),
            HttpStatusCode.NotFound, ErrorCodes.VersionNotFound);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync($"/api/v1/models/{TwoProjectsFixture.SharedModel}/versions/999/bom"),
            HttpStatusCode.NotFound, ErrorCodes.VersionNotFound);
    }

    [Fact]
    public async Task Bom_FieldsMatchTheSignedManifest()
    {
        using var admin = Client(Alpha.AdminKey);
        var bomResponse = await admin.GetAsync($"/api/v1/models/{TwoProjectsFixture.SharedModel}/versions/{Alpha.Production.Version}/bom");
        Assert.Equal("application/vnd.cyclonedx+json", bomResponse.Content.Headers.ContentType?.MediaType);
        var signature = await admin.GetAsync($"/api/v1/models/{TwoProjectsFixture.SharedModel}/versions/{Alpha.Production.Version}/signature");
        Assert.Equal(OmsBundle.MediaType, signature.Content.Headers.ContentType?.MediaType);
        Assert.True(OmsBundle.TryParse(await signature.Content.ReadAsByteArrayAsync(), out var bundle, out var error), error);
        Assert.True(ModelManifest.TryParse(bundle.Envelope.Payload, out var manifest, out error), error);
        var c = manifest.Content;

        using var doc = JsonDocument.Parse(await bomResponse.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        var model = root.GetProperty("metadata").GetProperty("component");
        Assert.Equal(("CycloneDX", "1.6"), (root.GetProperty("bomFormat").GetString(), root.GetProperty("specVersion").GetString()));
        Assert.StartsWith("urn:uuid:", root.GetProperty("serialNumber").GetString(), StringComparison.Ordinal);
        Assert.Equal((c.Model, c.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)), (model.GetProperty("name").GetString(), model.GetProperty("version").GetString()));
        Assert.Equal(manifest.RootDigest, model.GetProperty("hashes")[0].GetProperty("content").GetString());
        var card = model.GetProperty("modelCard");
        Assert.Equal("binary-classification", card.GetProperty("modelParameters").GetProperty("task").GetString());
        Assert.Equal("lightgbm", card.GetProperty("modelParameters").GetProperty("architectureFamily").GetString());
        var metrics = card.GetProperty("quantitativeAnalysis").GetProperty("performanceMetrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("type").GetString()!, m => double.Parse(m.GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(c.Metrics.Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value), metrics);
        Assert.Equal(Alpha.Production.Metrics.Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value), metrics);

        var components = root.GetProperty("components").EnumerateArray().ToList();
        var data = Assert.Single(components, x => x.GetProperty("type").GetString() == "data");
        Assert.Equal(c.DatasetDigest, data.GetProperty("hashes")[0].GetProperty("content").GetString());
        Assert.Equal(Alpha.Dataset.ContentDigest, c.DatasetDigest);
        Assert.Contains(components, x => x.GetProperty("name").GetString() == "Microsoft.ML" && x.GetProperty("version").GetString() == c.Runtimes!["Microsoft.ML"]);
        Assert.Contains(components, x => x.GetProperty("name").GetString() == "Microsoft.ML.OnnxRuntime");
        Assert.Contains(components, x => x.GetProperty("bom-ref").GetString() == "producer:bulwark" && x.GetProperty("version").GetString() == c.ProductVersion);
    }

    [Fact]
    public async Task SigningKey_IsTheKeyThatVerifiesSignatures()
    {
        using var admin = Client(Alpha.AdminKey);
        var key = (await admin.GetFromJsonAsync<ModelSigningKeyInfo>("/api/v1/models/signing-key"))!;
        var bundle = await admin.GetByteArrayAsync($"/api/v1/models/{TwoProjectsFixture.SharedModel}/versions/{Alpha.Production.Version}/signature");

        Assert.True(SignerKey.TryRead(key.PublicKeyPem, out var spki, out _));
        Assert.Equal(key.KeyId, Bulwark.Core.Crypto.EcdsaP256.KeyIdOf(spki));
        Assert.True(ModelDirectoryVerifier.VerifyBundle(bundle, spki).Valid);
    }
}
