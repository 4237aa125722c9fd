using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Bulwark.Core.Access;

/// <summary>
/// A parsed, validated, immutable set of policies. <see cref="Digest"/> is the SHA-256 of a canonical rendering
/// (policies sorted by id, fixed key order, sorted lists), so a JSON and a YAML spelling of the same policies, or the
/// same policies in another order, have the same digest; the audit trail records it with every decision.
/// </summary>
internal sealed class PolicySet
{
    private PolicySet(IReadOnlyList<Policy> policies, int version)
    {
        Policies = policies;
        Version = version;
        Digest = Convert.ToHexStringLower(SHA256.HashData(Canonicalize(policies.OrderBy(p => p.Id, StringComparer.Ordinal))));
    }

    /// <summary>No policies: decisions are RBAC alone.</summary>
    public static PolicySet Empty { get; } = new([], 0);

    /// <summary>In document order; decisions do not depend on it (<see cref="PolicyEngine"/>).</summary>
    public IReadOnlyList<Policy> Policies { get; }

    public int Version { get; }

    public string Digest { get; }

    public static PolicySet Create(IEnumerable<Policy> policies, int version) =>
        new(policies.ToArray(), version);

    public Policy? Find(string id) => Policies.FirstOrDefault(p => p.Id == id);

    /// <summary>The canonical document as JSON text (what <see cref="Digest"/> hashes).</summary>
    public string CanonicalJson => Encoding.UTF8.GetString(Canonicalize(Policies.OrderBy(p => p.Id, StringComparer.Ordinal)));

    private static byte[] Canonicalize(IEnumerable<Policy> policies)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("policies");
            foreach (var policy in policies)
            {
                writer.WriteStartObject();
                writer.WriteString("id", policy.Id);
                if (policy.Description is not null)
                {
                    writer.WriteString("description", policy.Description);
                }

                writer.WriteString("effect", policy.Effect == PolicyEffect.Permit ? "permit" : "forbid");
                WriteMatcher(writer, "principal", policy.Principal);
                if (policy.Action is not null)
                {
                    writer.WriteStartArray("action");
                    foreach (var pattern in policy.Action.Patterns.Order(StringComparer.Ordinal))
                    {
                        writer.WriteStringValue(pattern);
                    }

                    writer.WriteEndArray();
                }

                WriteMatcher(writer, "resource", policy.Resource);
                if (policy.When is not null)
                {
                    writer.WriteString("when", policy.When.Source);
                }

                if (policy.Unless is not null)
                {
                    writer.WriteString("unless", policy.Unless.Source);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteMatcher(Utf8JsonWriter writer, string name, EntityMatcher? matcher)
    {
        if (matcher is null)
        {
            return;
        }

        writer.WriteStartObject(name);
        WriteOptional(writer, "type", matcher.Type);
        WriteOptional(writer, "id", matcher.Id);
        if (matcher.Roles is not null)
        {
            writer.WriteStartArray("roles");
            foreach (var role in matcher.Roles.Order(StringComparer.Ordinal))
            {
                writer.WriteStringValue(role);
            }

            writer.WriteEndArray();
        }

        WriteOptional(writer, "project", matcher.Project);
        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
