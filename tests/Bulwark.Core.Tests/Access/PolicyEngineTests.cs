using System.Security.Cryptography;
using Bulwark.Core.Access;
using Bulwark.Core.Datasets;

namespace Bulwark.Core.Tests.Access;

public sealed class PolicyEngineTests
{
    private static readonly PolicySet Examples = AccessFixtures.Policies(AccessFixtures.ExamplePoliciesYaml);

    private static readonly AccessRequest ReadInternal = AccessFixtures.Request(
        AccessFixtures.Principal(), "datasets:read", AccessFixtures.Dataset(DataClassification.Internal));

    private static PolicySet Set(params string[] policies) =>
        AccessFixtures.Policies("policies:\n" + string.Concat(policies.Select(p => "  - " + p + "\n")));

    [Fact]
    public void Evaluate_NoRbacNoPolicy_DeniesByDefault()
    {
        var decision = PolicyEngine.Evaluate(ReadInternal, rbacPermits: false, PolicySet.Empty);

        Assert.False(decision.Allowed);
        Assert.Equal("no-permit", decision.Reason);
    }

    [Fact]
    public void Evaluate_RbacPermitsNoPolicy_Allows()
    {
        var decision = PolicyEngine.Evaluate(ReadInternal, rbacPermits: true, PolicySet.Empty);

        Assert.True(decision.Allowed);
        Assert.Equal("rbac", decision.Reason);
    }

    [Fact]
    public void Evaluate_PermitPolicyMatches_AllowsWithoutRbac()
    {
        var set = Set("{ id: project-members-read, effect: permit, action: \"datasets:*\", when: \"resource.project in principal.projects\" }");
        var principal = AccessFixtures.Principal().With("projects", AttributeValue.FromStrings(["fraud"]));

        var decision = PolicyEngine.Evaluate(ReadInternal with { Principal = principal }, rbacPermits: false, set);

        Assert.True(decision.Allowed);
        Assert.Equal("permit-policy", decision.Reason);
        Assert.Equal(["project-members-read"], decision.DeterminingPolicies);
    }

    [Fact]
    public void Evaluate_PermitPolicyForOtherAction_DoesNotApply()
    {
        var set = Set("{ id: p, effect: permit, action: \"models:*\" }");

        Assert.False(PolicyEngine.Evaluate(ReadInternal, rbacPermits: false, set).Allowed);
    }

    [Fact]
    public void Evaluate_ForbidMatches_WinsOverRbacAndPermit()
    {
        var set = Set(
            "{ id: everyone, effect: permit }",
            "{ id: no-datasets, effect: forbid, action: \"datasets:*\", resource: { type: dataset } }");

        var decision = PolicyEngine.Evaluate(ReadInternal, rbacPermits: true, set);

        Assert.False(decision.Allowed);
        Assert.Equal("forbid-policy", decision.Reason);
        Assert.Equal(["no-datasets"], decision.DeterminingPolicies);
    }

    [Fact]
    public void Evaluate_ErrorInApplicablePermit_DeniesEvenThoughNoForbidApplies()
    {
        var set = Set(
            "{ id: broken, effect: permit, when: 'principal.department == \"x\"' }",
            "{ id: not-for-me, effect: forbid, principal: { roles: [auditor] } }");

        var decision = PolicyEngine.Evaluate(ReadInternal, rbacPermits: true, set);

        Assert.False(decision.Allowed);
        Assert.Equal("policy-error", decision.Reason);
        Assert.Equal(["broken"], decision.Errors);
        Assert.Equal(["broken"], decision.DeterminingPolicies);
        Assert.Contains("principal.department is missing", Assert.Single(decision.ErrorMessages), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MissingClearanceWithoutHas_FailsClosed()
    {
        var request = ReadInternal with { Principal = AccessFixtures.Principal(clearance: null) };

        var decision = PolicyEngine.Evaluate(request, rbacPermits: true, Examples);

        Assert.False(decision.Allowed);
        Assert.Equal(["clearance-covers-classification"], decision.Errors);
    }

    [Fact]
    public void Evaluate_HasGuard_TurnsMissingAttributeIntoAPlainCondition()
    {
        var guarded = Set("{ id: guarded, effect: forbid, when: \"principal has clearance && principal.clearance < resource.classification\" }");
        var request = ReadInternal with { Principal = AccessFixtures.Principal(clearance: null) };

        Assert.True(PolicyEngine.Evaluate(request, rbacPermits: true, guarded).Allowed);
    }

    [Fact]
    public void Evaluate_ErrorInPolicyThatDoesNotApply_IsIgnored()
    {
        var set = Set("{ id: models-only, effect: forbid, resource: { type: model }, when: \"principal.ghost\" }");

        Assert.True(PolicyEngine.Evaluate(ReadInternal, rbacPermits: true, set).Allowed);
    }

    [Fact]
    public void Evaluate_ShuffledPolicies_DecisionNeverDependsOnOrder()
    {
        var policies = Set(
            "{ id: permit-a, effect: permit, action: \"datasets:*\" }",
            "{ id: permit-b, effect: permit, when: \"principal.mfa\" }",
            "{ id: permit-c, effect: permit, when: 'principal.id == \"bob\"' }",
            "{ id: forbid-risk, effect: forbid, when: \"context.risk > 50\" }",
            "{ id: forbid-ghost, effect: forbid, when: \"principal has ghost && principal.ghost\" }",
            "{ id: forbid-err, effect: forbid, when: \"context.risk > 5 && principal.ghost\" }",
            "{ id: permit-err, effect: permit, when: \"context.risk < 5 || resource.ghost\" }",
            "{ id: forbid-unless, effect: forbid, unless: \"principal.mfa\" }").Policies.ToArray();
        AccessRequest[] requests =
        [
            ReadInternal,
            ReadInternal with { Context = AccessFixtures.Context().With("risk", AttributeValue.FromLong(1)) },
            ReadInternal with { Context = AccessFixtures.Context().With("risk", AttributeValue.FromLong(90)) },
            ReadInternal with { Principal = AccessFixtures.Principal(mfa: false), Context = AccessFixtures.Context().With("risk", AttributeValue.FromLong(0)) },
        ];
        var baselineSet = PolicySet.Create(policies, 1);
        var baseline = requests.Select(r => PolicyEngine.Evaluate(r, false, baselineSet)).ToArray();
        Assert.Contains(baseline, d => d.Reason == "policy-error");
        Assert.Contains(baseline, d => d.Reason == "forbid-policy");
        Assert.Contains(baseline, d => d.Reason == "permit-policy");

        for (var round = 0; round < 200; round++)
        {
            RandomNumberGenerator.Shuffle(policies.AsSpan());
            var shuffled = PolicySet.Create(policies, 1);
            Assert.Equal(baselineSet.Digest, shuffled.Digest);
            for (var i = 0; i < requests.Length; i++)
            {
                var decision = PolicyEngine.Evaluate(requests[i], false, shuffled);
                var same = baseline[i].Allowed == decision.Allowed
                    && baseline[i].Reason == decision.Reason
                    && baseline[i].DeterminingPolicies.SequenceEqual(decision.DeterminingPolicies)
                    && baseline[i].ErrorMessages.SequenceEqual(decision.ErrorMessages);
                Assert.True(same, $"request {i} decided differently with order {string.Join(", ", policies.Select(p => p.Id))}");
            }
        }
    }

    [Fact]
    public void Create_ShuffledPolicies_KeepTheDigest()
    {
        var policies = Examples.Policies.ToArray();
        for (var round = 0; round < 20; round++)
        {
            RandomNumberGenerator.Shuffle(policies.AsSpan());
            Assert.Equal(Examples.Digest, PolicySet.Create(policies, 1).Digest);
        }
    }

    [Theory]
    [InlineData(DataClassification.Confidential, DataClassification.Confidential, true)]
    [InlineData(DataClassification.Confidential, DataClassification.Public, true)]
    [InlineData(DataClassification.Internal, DataClassification.Confidential, false)]
    [InlineData(DataClassification.Public, DataClassification.Internal, false)]
    public void ExampleClearance_DatasetAboveClearance_IsForbidden(DataClassification clearance, DataClassification classification, bool allowed)
    {
        var request = AccessFixtures.Request(AccessFixtures.Principal(clearance: clearance), "datasets:read", AccessFixtures.Dataset(classification));

        var decision = PolicyEngine.Evaluate(request, rbacPermits: true, Examples);

        Assert.Equal(allowed, decision.Allowed);
        Assert.Equal(allowed ? [] : ["clearance-covers-classification"], decision.DeterminingPolicies);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void ExampleRestrictedMfa_RestrictedWithoutMfa_IsForbidden(bool mfa, bool allowed)
    {
        var principal = AccessFixtures.Principal(clearance: DataClassification.Restricted, mfa: mfa);
        var request = AccessFixtures.Request(principal, "datasets:read", AccessFixtures.Dataset(DataClassification.Restricted));

        var decision = PolicyEngine.Evaluate(request, rbacPermits: true, Examples);

        Assert.Equal(allowed, decision.Allowed);
        Assert.Equal(allowed ? [] : ["restricted-needs-mfa"], decision.DeterminingPolicies);
    }

    [Fact]
    public void ExampleRestrictedMfa_ConfidentialWithoutMfa_IsAllowed()
    {
        var request = AccessFixtures.Request(AccessFixtures.Principal(mfa: false), "datasets:read", AccessFixtures.Dataset(DataClassification.Confidential));

        Assert.True(PolicyEngine.Evaluate(request, rbacPermits: true, Examples).Allowed);
    }

    [Theory]
    [InlineData("alice", "production", false)]
    [InlineData("bob", "production", true)]
    [InlineData("alice", "staging", true)]
    public void ExampleFourEyes_PromotingOwnModelToProduction_IsForbidden(string trainedBy, string stage, bool allowed)
    {
        var request = AccessFixtures.Request(
            AccessFixtures.Principal(id: "alice", roles: ["approver"]), "models:promote", AccessFixtures.ModelVersion(stage, trainedBy));

        var decision = PolicyEngine.Evaluate(request, rbacPermits: true, Examples);

        Assert.Equal(allowed, decision.Allowed);
        Assert.Equal(allowed ? "rbac" : "forbid-policy", decision.Reason);
    }

    [Theory]
    [InlineData("10.20.30.40", "users:manage", true)]
    [InlineData("192.168.1.5", "users:manage", false)]
    [InlineData("192.168.1.5", "keys:manage", false)]
    [InlineData("::ffff:192.168.1.5", "policies:manage", false)]
    [InlineData("::ffff:10.0.0.1", "policies:manage", true)]
    [InlineData("192.168.1.5", "audit:read", true)]
    public void ExampleAdminNetwork_AdminActionFromOutside_IsForbidden(string clientIp, string action, bool allowed)
    {
        var request = AccessFixtures.Request(
            AccessFixtures.Principal(roles: ["admin"]), action, EntityAttributes.Create(("type", AttributeValue.FromString("user"))), AccessFixtures.Context(clientIp));

        var decision = PolicyEngine.Evaluate(request, rbacPermits: true, Examples);

        Assert.Equal(allowed, decision.Allowed);
        Assert.Equal(allowed ? [] : ["admin-from-admin-network"], decision.DeterminingPolicies);
    }

    [Fact]
    public void ExampleAdminNetwork_ClientIpMissing_FailsClosed()
    {
        var request = AccessFixtures.Request(
            AccessFixtures.Principal(roles: ["admin"]), "keys:manage", EntityAttributes.Create(("type", AttributeValue.FromString("key"))), EntityAttributes.Empty);

        var decision = PolicyEngine.Evaluate(request, rbacPermits: true, Examples);

        Assert.False(decision.Allowed);
        Assert.Equal(["admin-from-admin-network"], decision.Errors);
    }
}
