using Bulwark.Core.Access;

namespace Bulwark.Core.Tests.Access;

public sealed class PolicyParserTests
{
    private const string ExampleJson = """
        {
          "policies": [
            { "id": "admin-from-admin-network", "effect": "forbid",
              "action": ["users:manage", "keys:manage", "policies:manage"],
              "unless": "context.clientIp.isInRange(ip(\"10.0.0.0/8\"))" },
            { "id": "four-eyes-promotion", "effect": "forbid", "action": ["models:promote"],
              "when": "resource.stage == \"production\" && principal.id == resource.trainedBy" },
            { "id": "restricted-needs-mfa", "effect": "forbid", "resource": { "type": "dataset" },
              "when": "resource.classification == classification(\"restricted\") && !principal.mfa" },
            { "id": "clearance-covers-classification", "effect": "forbid",
              "description": "People may only read or train on data at or below their clearance.",
              "action": ["models:train", "datasets:read"], "resource": { "type": "dataset" },
              "when": "principal.clearance < resource.classification" }
          ]
        }
        """;

    private static string Error(string text)
    {
        var parsed = PolicyParser.Parse(text);
        Assert.False(parsed.Succeeded, "the document was accepted");
        Assert.Equal("policy.invalid", parsed.Failure.Code);
        return parsed.Failure.Detail;
    }

    [Fact]
    public void Parse_JsonAndYamlOfTheSamePolicies_AreIdentical()
    {
        var yaml = AccessFixtures.Policies(AccessFixtures.ExamplePoliciesYaml);
        var json = AccessFixtures.Policies(ExampleJson);

        Assert.Equal(yaml.CanonicalJson, json.CanonicalJson);
        Assert.Equal(yaml.Digest, json.Digest);
        Assert.Equal(64, yaml.Digest.Length);
        Assert.Equal(4, json.Policies.Count);
    }

    [Fact]
    public void Parse_ChangedCondition_ChangesDigest()
    {
        var changed = AccessFixtures.Policies(ExampleJson.Replace("10.0.0.0/8", "10.0.0.0/9", StringComparison.Ordinal));

        Assert.NotEqual(AccessFixtures.Policies(ExampleJson).Digest, changed.Digest);
    }

    [Theory]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n    wehn: \"true\"\n", "policies[0].wehn (line 4, column 11): unknown key 'wehn'")]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n    principal: { role: [admin] }\n", "policies[0] (id 'a').principal.role")]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n    resource: { roles: [admin] }\n", "policies[0] (id 'a').resource.roles")]
    [InlineData("policy:\n  - id: a\n", "unknown key 'policy'")]
    [InlineData("{\"policies\": [{\"id\": \"a\", \"effect\": \"permit\", \"Action\": \"predict\"}]}", "policies[0].Action: unknown key 'Action'")]
    public void Parse_UnknownKey_IsRefusedWithPath(string text, string expected) =>
        Assert.Contains(expected, Error(text), StringComparison.Ordinal);

    [Theory]
    [InlineData("policies:\n  - effect: forbid\n", "policies[0].id")]
    [InlineData("policies:\n  - id: Bad_Id\n    effect: forbid\n", "must match")]
    [InlineData("policies:\n  - id: a\n", "policies[0] (id 'a').effect")]
    [InlineData("policies:\n  - id: a\n    effect: allow\n", "must be permit or forbid")]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n  - id: a\n    effect: permit\n", "duplicate policy id")]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n    principal: { type: robot }\n", "unknown type 'robot'")]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n    resource: { type: datasets }\n", "unknown type 'datasets'")]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n    action: [\"models:\"]\n", "is not an action")]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n    action: []\n", "at least one action")]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n    principal: { roles: [] }\n", "at least one role")]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n    when: [1]\n", "policies[0] (id 'a').when (line 4, column 11): must be a string")]
    [InlineData("policies: {}\n", "must be a list")]
    [InlineData("policies:\n  - id: a\n    effect: forbid\n    id: b\n", "Duplicate key 'id'")]
    [InlineData("{\"policies\": [], \"policies\": []}", "Duplicate key 'policies'")]
    [InlineData("", "empty")]
    [InlineData("policies: [\n", "Invalid YAML")]
    [InlineData("{\"policies\": [", "Invalid JSON")]
    [InlineData("base: &a [1]\npolicies: *a\n", "aliases are not allowed")]
    [InlineData("policies: !!str x\n", "tags are not allowed")]
    [InlineData("policies: []\n---\npolicies: []\n", "Only one YAML document")]
    public void Parse_InvalidDocument_IsRefused(string text, string expected) =>
        Assert.Contains(expected, Error(text), StringComparison.Ordinal);

    [Fact]
    public void Parse_ConditionSyntaxError_NamesPolicyFieldAndPosition()
    {
        var detail = Error("policies:\n  - id: four-eyes\n    effect: forbid\n    when: principal.id == resource.trainedBy &&\n");

        Assert.Contains("policies[0] (id 'four-eyes').when", detail, StringComparison.Ordinal);
        Assert.Contains("at character 38: unexpected end of condition", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooLarge_IsRefused() =>
        Assert.Contains("larger than 256 KiB", Error("policies: []\n#" + new string('x', 256 * 1024)), StringComparison.Ordinal);

    [Fact]
    public void Parse_TooManyPolicies_IsRefused()
    {
        var policies = string.Concat(Enumerable.Range(0, 501).Select(i => $"  - {{ id: p{i}, effect: permit }}\n"));

        Assert.Contains("more than 500 policies", Error("policies:\n" + policies), StringComparison.Ordinal);
        Assert.True(PolicyParser.Parse("policies:\n" + string.Concat(Enumerable.Range(0, 500).Select(i => $"  - {{ id: p{i}, effect: permit }}\n"))).Succeeded);
    }

    [Fact]
    public void Parse_TooDeep_IsRefused()
    {
        Assert.Contains("nested deeper", Error("policies: " + new string('[', 40) + new string(']', 40)), StringComparison.Ordinal);
        Assert.Contains("Invalid JSON", Error("{\"policies\": " + new string('[', 40) + new string(']', 40) + "}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExpressionTooLong_IsRefused()
    {
        var condition = string.Join(" && ", Enumerable.Repeat("principal.mfa", 300));

        Assert.Contains("longer than 4096", Error($"policies:\n  - id: a\n    effect: forbid\n    when: \"{condition}\"\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_QuotedYamlScalars_AreStrings()
    {
        var set = AccessFixtures.Policies("policies:\n  - id: \"007\"\n    effect: 'permit'\n    principal: { id: \"true\" }\n");

        Assert.Equal("007", set.Policies[0].Id);
        Assert.Equal("true", set.Policies[0].Principal!.Id);
    }

    [Fact]
    public void Parse_Version_IsKept() =>
        Assert.Equal(7, PolicyParser.Parse("policies: []", 7).Value!.Version);
}
