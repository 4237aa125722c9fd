using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bulwark.Client.Contracts;

namespace Bulwark.Client;

/// <summary>Model signatures, exports, AI BOMs and signed imports.</summary>
public sealed partial class BulwarkClient
{
    /// <summary>The public key that signs model manifests (<c>GET /api/v1/models/signing-key</c>).</summary>
    public Task<ModelSigningKeyInfo> GetModelSigningKeyAsync(CancellationToken cancellationToken = default) =>
        SendAsync<ModelSigningKeyInfo>(HttpMethod.Get, "api/v1/models/signing-key", null, cancellationToken);

    /// <summary>A version's OpenSSF model-signing bundle, as JSON text (<c>GET …/versions/{version}/signature</c>; needs models:export).</summary>
    public Task<string> GetModelSignatureAsync(string model, int version, CancellationToken cancellationToken = default) =>
        SendTextAsync($"api/v1/models/{Escape(model)}/versions/{version}/signature", cancellationToken);

    /// <summary>A version's CycloneDX 1.6 AI BOM, as JSON text (<c>GET …/versions/{version}/bom</c>).</summary>
    public Task<string> GetModelBomAsync(string model, int version, CancellationToken cancellationToken = default) =>
        SendTextAsync($"api/v1/models/{Escape(model)}/versions/{version}/bom", cancellationToken);

    /// <summary>
    /// Streams a zip of a version's files and its signature (<c>model.sig</c>) into <paramref name="destination"/>
    /// (<c>GET …/versions/{version}/export</c>; needs models:export, audited).
    /// </summary>
    public async Task ExportModelAsync(string model, int version, Stream destination, CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, $"api/v1/models/{Escape(model)}/versions/{version}/export", null, cancellationToken,
            HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>
    /// Imports an ONNX model with an OpenSSF model-signing bundle over it (multipart part "signature"); the server accepts
    /// it only when the bundle verifies against one of its trusted signer keys.
    /// </summary>
    public async Task<ModelVersionInfo> ImportSignedModelAsync(string model, Stream onnx, ImportModelSchema schema, Stream signature,
        CancellationToken cancellationToken = default)
    {
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(onnx);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "model", "model.onnx");
        var schemaPart = new StringContent(JsonSerializer.Serialize(schema, Json), Encoding.UTF8);
        schemaPart.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(schemaPart, "schema");
        var signaturePart = new StreamContent(signature);
        signaturePart.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(signaturePart, "signature", "model.sig");
        return await SendAsync<ModelVersionInfo>(HttpMethod.Post, $"api/v1/models/{Escape(model)}/versions", form, cancellationToken);
    }

    private async Task<string> SendTextAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Get, path, null, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
}
