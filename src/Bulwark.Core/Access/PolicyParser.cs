using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Bulwark.Core.Access;

/// <summary>
/// Parses a policy document (JSON or YAML, schema in docs/access-control.md) into a <see cref="PolicySet"/>. Anything
/// unexpected is refused with <see cref="InvalidCode"/> and a message naming the policy, the field and the position:
/// an unknown key is a typo that would otherwise widen access silently.
/// </summary>
internal static partial class PolicyParser
{
    public const string InvalidCode = "policy.invalid";
    public const int MaxPolicies = 500;
    public const int MaxDescriptionLength = 1024;

    private static readonly string[] PolicyKeys = ["id", "description", "effect", "principal", "action", "resource", "when", "unless"];

    private static readonly FrozenSet<string> PrincipalTypes = FrozenSet.Create(StringComparer.Ordinal, "user", "service", "apikey", "external");

    private static readonly FrozenSet<string> ResourceTypes = FrozenSet.Create(
        StringComparer.Ordinal, "dataset", "model", "modelVersion", "key", "job", "audit", "user", "policy", "project");

    public static Outcome<PolicySet> Parse(string text, int version = 1)
    {
        var document = DocumentReader.Read(text, InvalidCode);
        if (!document.Succeeded)
        {
            return document.Failure;
        }

        try
        {
            var root = DocumentFields.Map(document.Value, "", "policies");
            return ParsePolicies(DocumentFields.Required(root, "", "policies"), "policies", version);
        }
        catch (DocumentFormatException e)
        {
            return Invalid(e.Message);
        }
    }

    /// <summary>Reads a <c>policies:</c> list; throws <see cref="DocumentFormatException"/> (callers convert it).</summary>
    internal static PolicySet ParsePolicies(DocumentNode list, string path, int version)
    {
        var items = DocumentFields.List(list, path);
        if (items.Count > MaxPolicies)
        {
            throw DocumentFields.Fail(path, list, $"more than {MaxPolicies} policies");
        }

        var policies = new List<Policy>(items.Count);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var policy = ParsePolicy(items[i], $"{path}[{i}]");
            if (!ids.Add(policy.Id))
            {
                throw DocumentFields.Fail($"{path}[{i}] (id '{policy.Id}').id", items[i], "duplicate policy id");
            }

            policies.Add(policy);
        }

        return PolicySet.Create(policies, version);
    }

    private static Policy ParsePolicy(DocumentNode node, string path)
    {
        var map = DocumentFields.Map(node, path, PolicyKeys);
        var id = DocumentFields.String(DocumentFields.Required(map, path, "id"), path + ".id");
        if (!PolicyIdPattern().IsMatch(id))
        {
            throw DocumentFields.Fail(path + ".id", map, "must match [a-z0-9][a-z0-9-]{0,63}");
        }

        var at = $"{path} (id '{id}')";
        var description = DocumentFields.OptionalString(map, at, "description");
        if (description?.Length > MaxDescriptionLength)
        {
            throw DocumentFields.Fail(at + ".description", map, $"longer than {MaxDescriptionLength} characters");
        }

        var effectNode = DocumentFields.Required(map, at, "effect");
        var effect = DocumentFields.String(effectNode, at + ".effect") switch
        {
            "permit" => PolicyEffect.Permit,
            "forbid" => PolicyEffect.Forbid,
            _ => throw DocumentFields.Fail(at + ".effect", effectNode, "must be permit or forbid"),
        };

        return new Policy(
            id,
            description,
            effect,
            Matcher(DocumentFields.Get(map, "principal"), at + ".principal", PrincipalTypes, "roles"),
            Actions(DocumentFields.Get(map, "action"), at + ".action"),
            Matcher(DocumentFields.Get(map, "resource"), at + ".resource", ResourceTypes, "project"),
            Compile(DocumentFields.Get(map, "when"), at + ".when"),
            Compile(DocumentFields.Get(map, "unless"), at + ".unless"));
    }

    private static EntityMatcher? Matcher(DocumentNode? node, string path, FrozenSet<string> types, string extraKey)
    {
        if (node is null || node.IsNull)
        {
            return null;
        }

        var map = DocumentFields.Map(node, path, "type", "id", extraKey);
        var type = DocumentFields.OptionalString(map, path, "type");
        if (type is not null && !types.Contains(type))
        {
            throw DocumentFields.Fail(path + ".type", map, $"unknown type '{type}' (known: {string.Join(", ", types.Order(StringComparer.Ordinal))})");
        }

        var id = DocumentFields.OptionalString(map, path, "id");
        if (extraKey == "project")
        {
            return new EntityMatcher(type, id, null, DocumentFields.OptionalString(map, path, "project"));
        }

        var rolesNode = DocumentFields.Get(map, "roles");
        var roles = rolesNode is null || rolesNode.IsNull ? null : DocumentFields.Strings(rolesNode, path + ".roles");
        if (roles is { Count: 0 })
        {
            // An empty any-of list would match nobody; almost certainly a mistake, so say so.
            throw DocumentFields.Fail(path + ".roles", map, "must name at least one role");
        }

        return new EntityMatcher(type, id, roles?.ToFrozenSet(StringComparer.Ordinal), null);
    }

    private static ActionMatcher? Actions(DocumentNode? node, string path)
    {
        if (node is null || node.IsNull)
        {
            return null;
        }

        var patterns = DocumentFields.Strings(node, path);
        if (patterns.Count == 0)
        {
            throw DocumentFields.Fail(path, node, "must name at least one action");
        }

        foreach (var pattern in patterns)
        {
            if (!ActionPattern().IsMatch(pattern))
            {
                throw DocumentFields.Fail(path, node, $"'{pattern}' is not an action (\"datasets:read\", \"models:*\" or \"*\")");
            }
        }

        return new ActionMatcher(patterns.Distinct(StringComparer.Ordinal).ToArray());
    }

    private static Condition? Compile(DocumentNode? node, string path)
    {
        if (node is null || node.IsNull)
        {
            return null;
        }

        var source = DocumentFields.String(node, path);
        var compiled = Condition.Compile(source);
        return compiled.Succeeded ? compiled.Value : throw DocumentFields.Fail(path, node, compiled.Failure.Detail);
    }

    private static Failure Invalid(string detail) => new(InvalidCode, 400, detail);

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9-]{0,63}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex PolicyIdPattern();

    [GeneratedRegex(@"\A(\*|[a-z][a-z0-9-]*(:(\*|[a-z][a-z0-9-]*))?)\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ActionPattern();
}
