using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Bulwark.Core.Registry;

/// <summary>
/// The AI bill of materials of one model version as CycloneDX 1.6 JSON (ECMA-424): the model as a
/// <c>machine-learning-model</c> component with its root digest, files and model card, the training dataset as a
/// <c>data</c> component, the ML libraries and the Bulwark build that produced it, the imported file as the model's
/// ancestor, and the external signer. Every fact comes from the verified, signed manifest, never from database columns
/// an attacker with write access to the database could edit; only the BOM's own serial number, timestamp and tool
/// version describe the moment it was generated.
/// </summary>
internal static class ModelBom
{
    public const string SpecVersion = "1.6";

    public static string Build(SignedManifest manifest, string signingKeyId, Guid serialNumber, DateTimeOffset now, string toolVersion)
    {
        var c = manifest.Content;
        var modelRef = $"model:{c.Model}@{c.Version}";
        var datasetRef = c.DatasetDigest is null ? null : $"dataset:{c.DatasetDigest}";
        var libraries = (c.Runtimes ?? new Dictionary<string, string>()).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("bomFormat", "CycloneDX");
            w.WriteString("specVersion", SpecVersion);
            w.WriteString("serialNumber", "urn:uuid:" + serialNumber.ToString("D"));
            w.WriteNumber("version", 1);
            w.WriteStartObject("metadata");
            w.WriteString("timestamp", now.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            w.WriteStartObject("tools");
            w.WriteStartArray("components");
            WriteApplication(w, "tool:bulwark", toolVersion);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WritePropertyName("component");
            WriteModel(w, manifest, modelRef, datasetRef, signingKeyId);
            w.WriteEndObject();

            w.WriteStartArray("components");
            if (datasetRef is not null)
            {
                WriteDataset(w, c, datasetRef);
            }

            foreach (var (name, version) in libraries)
            {
                w.WriteStartObject();
                w.WriteString("type", name == "Microsoft.NETCore.App" ? "framework" : "library");
                w.WriteString("bom-ref", $"lib:{name}@{version}");
                w.WriteString("name", name);
                w.WriteString("version", version);
                w.WriteString("purl", $"pkg:nuget/{name}@{version}");
                w.WriteEndObject();
            }

            WriteApplication(w, "producer:bulwark", c.ProductVersion);
            w.WriteEndArray();

            w.WriteStartArray("dependencies");
            w.WriteStartObject();
            w.WriteString("ref", modelRef);
            w.WriteStartArray("dependsOn");
            if (datasetRef is not null)
            {
                w.WriteStringValue(datasetRef);
            }

            foreach (var (name, version) in libraries)
            {
                w.WriteStringValue($"lib:{name}@{version}");
            }

            w.WriteStringValue("producer:bulwark");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteModel(Utf8JsonWriter w, SignedManifest manifest, string modelRef, string? datasetRef, string signingKeyId)
    {
        var c = manifest.Content;
        w.WriteStartObject();
        w.WriteString("type", "machine-learning-model");
        w.WriteString("bom-ref", modelRef);
        w.WriteString("name", c.Model);
        w.WriteString("version", c.Version.ToString(CultureInfo.InvariantCulture));
        WriteHashes(w, manifest.RootDigest);

        w.WriteStartArray("properties");
        Property(w, "bulwark:versionId", c.VersionId.ToString("D"));
        Property(w, "bulwark:format", c.Format);
        Property(w, "bulwark:createdBy", c.CreatedBy);
        Property(w, "bulwark:createdAt", c.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        Property(w, "bulwark:producerVersion", c.ProductVersion);
        Property(w, "bulwark:signature:keyId", signingKeyId);
        Property(w, "bulwark:signature:format", "OpenSSF model signing v1.0 (DSSE, in-toto)");
        if (c.Trainer is not null)
        {
            Property(w, "bulwark:trainer", c.Trainer);
        }

        foreach (var (name, value) in (c.Parameters ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Property(w, "bulwark:parameter:" + name, value);
        }

        if (c.ExternalSigner is not null)
        {
            Property(w, "bulwark:externalSigner:keyId", c.ExternalSigner);
        }

        w.WriteEndArray();

        // The signed files as subcomponents: what an offline verifier recomputes.
        w.WriteStartArray("components");
        foreach (var resource in manifest.Resources)
        {
            w.WriteStartObject();
            w.WriteString("type", "file");
            w.WriteString("bom-ref", $"{modelRef}/{resource.Name}");
            w.WriteString("name", resource.Name);
            WriteHashes(w, resource.Sha256);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        if (c.Trainer is null && manifest.Resources.FirstOrDefault(r => r.Name == ModelImporter.OnnxFileName) is { } imported)
        {
            // An imported model's base is the uploaded file itself, byte for byte.
            w.WriteStartObject("pedigree");
            w.WriteStartArray("ancestors");
            w.WriteStartObject();
            w.WriteString("type", "machine-learning-model");
            w.WriteString("bom-ref", $"base:{imported.Sha256}");
            w.WriteString("name", c.Model + " (imported ONNX file)");
            WriteHashes(w, imported.Sha256);
            if (c.ExternalSigner is not null)
            {
                w.WriteStartArray("properties");
                Property(w, "bulwark:externalSigner:keyId", c.ExternalSigner);
                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        WriteModelCard(w, c, datasetRef);
        w.WriteEndObject();
    }

    private static void WriteModelCard(Utf8JsonWriter w, ManifestContent c, string? datasetRef)
    {
        w.WriteStartObject("modelCard");
        w.WriteStartObject("modelParameters");
        w.WriteStartObject("approach");
        w.WriteString("type", "supervised");
        w.WriteEndObject();
        w.WriteString("task", c.Task switch
        {
            "binary" => "binary-classification",
            "multiclass" => "multiclass-classification",
            _ => c.Task,
        });
        if (c.Trainer is not null)
        {
            w.WriteString("architectureFamily", c.Trainer);
        }

        if (datasetRef is not null)
        {
            w.WriteStartArray("datasets");
            w.WriteStartObject();
            w.WriteString("ref", datasetRef);
            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteStartArray("inputs");
        w.WriteStartObject();
        w.WriteString("format", "tabular");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();

        var metrics = c.Metrics.Where(m => double.IsFinite(m.Value)).OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
        if (metrics.Count > 0)
        {
            w.WriteStartObject("quantitativeAnalysis");
            w.WriteStartArray("performanceMetrics");
            foreach (var (name, value) in metrics)
            {
                w.WriteStartObject();
                w.WriteString("type", name);
                w.WriteString("value", value.ToString("R", CultureInfo.InvariantCulture));
                w.WriteString("slice", "hold-out");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteDataset(Utf8JsonWriter w, ManifestContent c, string datasetRef)
    {
        w.WriteStartObject();
        w.WriteString("type", "data");
        w.WriteString("bom-ref", datasetRef);
        w.WriteString("name", c.DatasetId is { } id ? "dataset " + id.ToString("D") : "training dataset");
        WriteHashes(w, c.DatasetDigest!);
        w.WriteStartArray("data");
        w.WriteStartObject();
        w.WriteString("type", "dataset");
        w.WriteString("name", "training data");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteApplication(Utf8JsonWriter w, string bomRef, string version)
    {
        w.WriteStartObject();
        w.WriteString("type", "application");
        w.WriteString("bom-ref", bomRef);
        w.WriteString("name", "Bulwark");
        w.WriteString("version", version);
        w.WriteEndObject();
    }

    // CycloneDX hash content is hex of a known length; anything else (never expected) goes in as a property instead.
    private static void WriteHashes(Utf8JsonWriter w, string sha256Hex)
    {
        if (sha256Hex.Length != 64 || !sha256Hex.All(char.IsAsciiHexDigit))
        {
            return;
        }

        w.WriteStartArray("hashes");
        w.WriteStartObject();
        w.WriteString("alg", "SHA-256");
        w.WriteString("content", sha256Hex);
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static void Property(Utf8JsonWriter w, string name, string value)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("value", value);
        w.WriteEndObject();
    }
}
