using Bulwark.Core.Access;
using Bulwark.Core.Datasets;

namespace Bulwark.Core.Tests.Access;

public sealed class PolicyTestRunnerTests
{
    private const string Tests = """
        tests:
          - name: scientist reads internal data
            principal: { id: alice, type: user, roles: [data-scientist], clearance: confidential, mfa: true }
            action: "datasets:read"
            resource: { type: dataset, id: tx, classification: internal }
            context: { clientIp: 10.1.2.3, time: "2026-03-04T09:30:00Z", risk: 3 }
            expect: allow
          - name: scientist reads restricted data
            principal: { id: alice, type: user, roles: [data-scientist], clearance: confidential, mfa: true }
            action: "datasets:read"
            resource: { type: dataset, classification: { classification: restricted } }
            expect: deny
            policies: [clearance-covers-classification]
          - name: auditor cannot train
            principal: { id: carol, roles: [auditor], clearance: restricted, mfa: true }
            action: "models:train"
            resource: { type: dataset, classification: public }
            expect: deny
            policies: []
          - name: rbac overridden
            principal: { id: carol, roles: [], clearance: restricted, mfa: true }
            action: "models:train"
            resource: { type: dataset, classification: public }
            rbac: true
            expect: allow
          - name: promote own model
            principal: { id: alice, roles: [approver] }
            action: "models:promote"
            resource: { type: modelVersion, stage: production, trainedBy: alice }
            expect: deny
          - name: admin from the internet
            principal: { id: root, roles: [admin] }
            action: "keys:manage"
            resource: { type: key }
            context: { clientIp: { ip: "203.0.113.9" } }
            expect: deny
        """;

    [Fact]
    public void Run_MatchingExpectations_AllPass()
    {
        var file = Parse(Tests);

        var results = PolicyTestRunner.Run(file, AccessFixtures.Policies(AccessFixtures.ExamplePoliciesYaml), RoleCatalog.BuiltIn);

        Assert.All(results, r => Assert.True(r.Passed, $"{r.Name}: {r.Failure}"));
        Assert.Equal(6, results.Count);
        Assert.False(results[2].RbacPermits);
        Assert.True(results[0].RbacPermits);
    }

    [Fact]
    public void Run_WithoutThePolicies_ReportsEachFailureWithTheActualDecision()
    {
        var results = PolicyTestRunner.Run(Parse(Tests), PolicySet.Empty, RoleCatalog.BuiltIn);

        var failed = results.Where(r => !r.Passed).Select(r => r.Name).ToArray();
        Assert.Equal(["scientist reads restricted data", "promote own model", "admin from the internet"], failed);
        var restricted = results[1];
        Assert.True(restricted.Actual.Allowed);
        Assert.Equal("expected deny, got allow (rbac)", restricted.Failure);
    }

    [Fact]
    public void Run_WrongDeterminingPolicy_Fails()
    {
        var file = Parse(Tests.Replace("policies: [clearance-covers-classification]", "policies: [restricted-needs-mfa]", StringComparison.Ordinal));

        var result = PolicyTestRunner.Run(file, AccessFixtures.Policies(AccessFixtures.ExamplePoliciesYaml), RoleCatalog.BuiltIn)[1];

        Assert.False(result.Passed);
        Assert.Contains("expected determining policies [restricted-needs-mfa], got [clearance-covers-classification]", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InlinePolicies_AreUsed()
    {
        var file = Parse("""
            policies:
              - { id: no-night-work, effect: forbid, when: "context.time.hour < 6" }
            tests:
              - { name: night, principal: { roles: [service] }, action: predict, context: { time: "2026-01-01T03:00:00Z" }, expect: deny, policies: [no-night-work] }
              - { name: day, principal: { roles: [service] }, action: predict, context: { time: "2026-01-01T13:00:00Z" }, expect: allow }
            """);

        Assert.All(PolicyTestRunner.Run(file, RoleCatalog.BuiltIn), r => Assert.True(r.Passed, r.Failure));
    }

    [Fact]
    public void Parse_TypedAndInferredValues_HaveTheirTypes()
    {
        var request = Parse(Tests).Tests[0].Request;

        Assert.Equal(DataClassification.Confidential, request.Principal["clearance"].AsClassification);
        Assert.Equal(AttributeKind.IpAddress, request.Context["clientIp"].Kind);
        Assert.Equal(AttributeKind.DateTime, request.Context["time"].Kind);
        Assert.Equal(3, request.Context["risk"].AsLong);
        Assert.True(request.Principal["mfa"].AsBool);
        Assert.Equal(AttributeKind.Set, request.Principal["roles"].Kind);
    }

    [Theory]
    [InlineData("tests:\n  - { name: a, action: predict, expect: maybe }\n", "must be allow or deny")]
    [InlineData("tests:\n  - { name: a, action: predict, expect: deny, principal: { clearance: top-secret } }\n", "invalid classification 'top-secret'")]
    [InlineData("tests:\n  - { name: a, action: predict, expect: deny, context: { clientIp: { ip: \"10.0.0.300\" } } }\n", "invalid ip")]
    [InlineData("tests:\n  - { name: a, action: predict, expect: deny, context: { x: { ipv4: \"10.0.0.1\" } } }\n", "typed value")]
    [InlineData("tests:\n  - { name: a, action: predict, expect: deny, rbac: yes }\n", "must be true or false")]
    [InlineData("tests:\n  - { name: a, action: predict, expect: deny, expected: allow }\n", "unknown key 'expected'")]
    [InlineData("tests:\n  - { name: a, action: predict, expect: deny }\n  - { name: a, action: predict, expect: deny }\n", "used twice")]
    public void Parse_InvalidTestFile_IsRefused(string text, string expected)
    {
        var parsed = PolicyTestFile.Parse(text);

        Assert.False(parsed.Succeeded);
        Assert.Equal("policy-test.invalid", parsed.Failure.Code);
        Assert.Contains(expected, parsed.Failure.Detail, StringComparison.Ordinal);
    }

    private static PolicyTestFile Parse(string text)
    {
        var parsed = PolicyTestFile.Parse(text);
        Assert.True(parsed.Succeeded, parsed.Failure?.Detail);
        return parsed.Value;
    }
}
