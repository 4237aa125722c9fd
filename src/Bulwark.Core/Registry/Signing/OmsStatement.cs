using System.Text.Json;

namespace Bulwark.Core.Registry;

/// <summary>
/// The in-toto statement of an OMS v1.0 signature, read without assuming Bulwark made it: one subject (the model name
/// and root digest) and the predicate's serialization and resources. Other predicate members are ignored, as the v1.0
/// predicate asks of verifiers. Only serialization by files with SHA-256 and without symlinks is supported.
/// </summary>
/// <param name="IgnorePaths">The signer's <c>ignore_paths</c>, informational: Bulwark's verifier ignores only the bundle file itself.</param>
internal sealed record OmsStatement(string SubjectName, string RootDigest, IReadOnlyList<ManifestResource> Resources, IReadOnlyList<string> IgnorePaths)
{
    /// <summary>More resources than this is refused rather than hashed (a model folder, not a file system).</summary>
    public const int MaxResources = 100_000;

    /// <summary>Parses a statement whose signature was already checked. Any structural surprise is an error.</summary>
    public static bool TryParse(byte[] payload, out OmsStatement statement, out string error)
    {
        statement = default!;
        try
        {
            using var doc = JsonDocument.Parse(payload, new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "_type") != ModelManifest.StatementType
                || Text(root, "predicateType") != ModelManifest.PredicateType)
            {
                error = "The statement is not an in-toto v1 statement with the model-signing v1.0 predicate.";
                return false;
            }

            var subjects = root.GetProperty("subject");
            if (subjects.ValueKind != JsonValueKind.Array || subjects.GetArrayLength() != 1)
            {
                error = "The statement must have exactly one subject.";
                return false;
            }

            var subject = subjects[0];
            var rootDigest = Text(subject.GetProperty("digest"), "sha256") ?? "";
            var predicate = root.GetProperty("predicate");
            var serialization = predicate.GetProperty("serialization");
            var method = Text(serialization, "method");
            if (method != "files" || Text(serialization, "hash_type") != "sha256")
            {
                error = $"Unsupported serialization '{method}' / '{Text(serialization, "hash_type")}': only \"files\" with sha256 is supported.";
                return false;
            }

            if (serialization.GetProperty("allow_symlinks").GetBoolean())
            {
                error = "The signature allows symlinks; Bulwark refuses symlinked model files.";
                return false;
            }

            var ignore = new List<string>();
            if (serialization.TryGetProperty("ignore_paths", out var paths))
            {
                ignore.AddRange(paths.EnumerateArray().Select(p => p.GetString() ?? throw new InvalidOperationException()));
            }

            var resources = new List<ManifestResource>();
            foreach (var r in predicate.GetProperty("resources").EnumerateArray())
            {
                var digest = Text(r, "digest") ?? "";
                if (Text(r, "algorithm") != "sha256" || digest.Length != 64 || !digest.All(char.IsAsciiHexDigitLower))
                {
                    error = "Every resource needs algorithm sha256 and a 64-character lowercase hex digest.";
                    return false;
                }

                resources.Add(new ManifestResource(Text(r, "name") ?? "", digest));
                if (resources.Count > MaxResources)
                {
                    error = $"The statement names more than {MaxResources} files.";
                    return false;
                }
            }

            if (resources.Count == 0 || resources.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count() != resources.Count)
            {
                error = "The statement names no files, or the same file twice.";
                return false;
            }

            if (rootDigest.Length != 64 || !ModelManifest.IsRootDigestOf(resources, rootDigest))
            {
                error = "The statement's root digest does not match its resources.";
                return false;
            }

            statement = new OmsStatement(subject.GetProperty("name").GetString() ?? "", rootDigest, resources, ignore);
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            error = "The signed statement is malformed.";
            return false;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
