using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Bulwark.Core.Registry;

/// <summary>
/// The in-toto Statement v1 a model version is signed as, in the shape of the OpenSSF model-signing v1.0 predicate
/// (serialization method "files"), plus Bulwark's own facts under <c>predicate.bulwark</c>.
/// </summary>
/// <remarks>
/// Root digest (the statement's subject digest), as OpenSSF model signing v1.0 computes it: SHA-256 over the raw 32-byte
/// SHA-256 of every resource, concatenated in the order the resources are listed (sorted by name, ordinal). Names are not
/// part of it; they are covered by the signature over the whole statement. Versions signed before Bulwark followed that
/// rule carry the older root, SHA-256 over <c>UTF-8(name) || 0x00 || digest</c> per resource; it is still accepted
/// (<see cref="IsRootDigestOf"/>) so those versions keep verifying. New statements also list the detached signature
/// file (<see cref="SignatureFileName"/>) under <c>ignore_paths</c>, as the reference tool does, so an exported folder
/// verifies with it as well as with <c>bulwark model verify</c>.
/// </remarks>
internal static class ModelManifest
{
    public const string StatementType = "https://in-toto.io/Statement/v1";
    public const string PredicateType = "https://model_signing/signature/v1.0";

    /// <summary>The conventional name of an OMS bundle next to the model files it signs.</summary>
    public const string SignatureFileName = "model.sig";

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The OMS v1.0 root digest of <paramref name="resources"/>, listed sorted by name.</summary>
    public static string RootDigest(IEnumerable<ManifestResource> resources) =>
        OmsRootDigest(resources.OrderBy(r => r.Name, StringComparer.Ordinal));

    /// <summary>SHA-256 over the resources' raw digests in the given order (OMS v1.0).</summary>
    public static string OmsRootDigest(IEnumerable<ManifestResource> resourcesInOrder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var r in resourcesInOrder)
        {
            hash.AppendData(Convert.FromHexString(r.Sha256));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The root digest of statements signed before the OMS rule (names and digests, sorted by name).</summary>
    public static string LegacyRootDigest(IEnumerable<ManifestResource> resources)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var r in resources.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(r.Name));
            hash.AppendData([0]);
            hash.AppendData(Convert.FromHexString(r.Sha256));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Does <paramref name="claimed"/> bind exactly these resources: the OMS root over them as listed, or the legacy root?
    /// </summary>
    /// <exception cref="FormatException">A resource digest is not hex.</exception>
    public static bool IsRootDigestOf(IReadOnlyList<ManifestResource> listed, string claimed) =>
        string.Equals(OmsRootDigest(listed), claimed, StringComparison.Ordinal)
        || string.Equals(LegacyRootDigest(listed), claimed, StringComparison.Ordinal);

    /// <summary>Builds the statement bytes (UTF-8 JSON) for <paramref name="files"/>.</summary>
    public static byte[] BuildStatement(ManifestContent content, IReadOnlyDictionary<string, byte[]> files)
    {
        var resources = files.Select(f => new ManifestResource(f.Key, Sha256Hex(f.Value)))
            .OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("_type", StatementType);
            w.WriteStartArray("subject");
            w.WriteStartObject();
            w.WriteString("name", content.Model);
            w.WriteStartObject("digest");
            w.WriteString("sha256", RootDigest(resources));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("predicateType", PredicateType);
            w.WriteStartObject("predicate");
            w.WriteStartObject("serialization");
            w.WriteString("method", "files");
            w.WriteString("hash_type", "sha256");
            w.WriteBoolean("allow_symlinks", false);
            w.WriteStartArray("ignore_paths");
            w.WriteStringValue(SignatureFileName);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("resources");
            foreach (var r in resources)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                w.WriteString("algorithm", "sha256");
                w.WriteString("digest", r.Sha256);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            WriteContent(w, content);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteContent(Utf8JsonWriter w, ManifestContent c)
    {
        w.WriteStartObject("bulwark");
        w.WriteString("model", c.Model);
        w.WriteNumber("version", c.Version);
        w.WriteString("versionId", c.VersionId.ToString("D"));
        w.WriteString("format", c.Format);
        w.WriteString("task", c.Task);
        w.WritePropertyName("featureSchema");
        w.WriteRawValue(c.FeatureSchemaJson);
        WriteNullable(w, "datasetId", c.DatasetId?.ToString("D"));
        WriteNullable(w, "datasetDigest", c.DatasetDigest);
        WriteNullable(w, "trainer", c.Trainer);
        w.WriteStartObject("parameters");
        foreach (var p in (c.Parameters ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteString(p.Key, p.Value);
        }

        w.WriteEndObject();
        w.WritePropertyName("metrics");
        w.WriteRawValue(MetricsJson(c.Metrics));
        w.WriteString("createdBy", c.CreatedBy);
        w.WriteString("createdAt", c.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("productVersion", c.ProductVersion);
        if (c.ExternalSigner is not null)
        {
            w.WriteString("externalSigner", c.ExternalSigner);
        }

        if (c.Runtimes is not null)
        {
            w.WriteStartObject("runtimes");
            foreach (var (name, version) in c.Runtimes.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                w.WriteString(name, version);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>Metrics as a JSON object. Non-finite values (an undefined AUC) have no JSON form and are left out.</summary>
    public static string MetricsJson(IReadOnlyDictionary<string, double> metrics)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var m in metrics.Where(m => double.IsFinite(m.Value)).OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                w.WriteNumber(m.Key, m.Value);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    /// <summary>Parses a statement whose signature was already checked. Any structural surprise is a failure.</summary>
    public static bool TryParse(byte[] statement, out SignedManifest manifest, out string error)
    {
        manifest = default!;
        try
        {
            using var doc = JsonDocument.Parse(statement, new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
            var root = doc.RootElement;
            if (root.GetProperty("_type").GetString() != StatementType || root.GetProperty("predicateType").GetString() != PredicateType)
            {
                error = "The statement type or predicate type is not the model-signing v1.0 one.";
                return false;
            }

            var subjects = root.GetProperty("subject");
            if (subjects.GetArrayLength() != 1)
            {
                error = "The statement must have exactly one subject.";
                return false;
            }

            var subject = subjects[0];
            var predicate = root.GetProperty("predicate");
            var serialization = predicate.GetProperty("serialization");
            if (serialization.GetProperty("method").GetString() != "files" || serialization.GetProperty("hash_type").GetString() != "sha256"
                || serialization.GetProperty("allow_symlinks").GetBoolean())
            {
                error = "Unsupported serialization in the manifest.";
                return false;
            }

            var resources = new List<ManifestResource>();
            foreach (var r in predicate.GetProperty("resources").EnumerateArray())
            {
                if (r.GetProperty("algorithm").GetString() != "sha256")
                {
                    error = "Unsupported digest algorithm in the manifest.";
                    return false;
                }

                resources.Add(new ManifestResource(r.GetProperty("name").GetString() ?? "", r.GetProperty("digest").GetString() ?? ""));
            }

            var b = predicate.GetProperty("bulwark");
            var content = new ManifestContent(
                b.GetProperty("model").GetString() ?? "",
                b.GetProperty("version").GetInt32(),
                b.GetProperty("versionId").GetGuid(),
                b.GetProperty("format").GetString() ?? "",
                b.GetProperty("task").GetString() ?? "",
                b.GetProperty("featureSchema").GetRawText(),
                b.GetProperty("datasetId").ValueKind == JsonValueKind.Null ? null : b.GetProperty("datasetId").GetGuid(),
                b.GetProperty("datasetDigest").GetString(),
                b.GetProperty("trainer").GetString(),
                b.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal),
                b.GetProperty("metrics").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal),
                b.GetProperty("createdBy").GetString() ?? "",
                b.GetProperty("createdAt").GetDateTimeOffset(),
                b.GetProperty("productVersion").GetString() ?? "",
                b.TryGetProperty("externalSigner", out var signer) ? signer.GetString() : null,
                b.TryGetProperty("runtimes", out var runtimes)
                    ? runtimes.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal)
                    : null);
            manifest = new SignedManifest(
                subject.GetProperty("name").GetString() ?? "",
                subject.GetProperty("digest").GetProperty("sha256").GetString() ?? "",
                resources,
                content);
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            error = "The manifest statement is malformed.";
            return false;
        }
    }
}

/// <summary>A parsed, signature-checked manifest.</summary>
internal sealed record SignedManifest(string SubjectName, string RootDigest, IReadOnlyList<ManifestResource> Resources, ManifestContent Content);
