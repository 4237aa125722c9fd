using System.Net;
using Bulwark.Core.Access;
using Bulwark.Core.Datasets;

namespace Bulwark.Core.Tests.Access;

internal static class AccessFixtures
{
    /// <summary>The four policies docs/access-control.md ships as examples (a)–(d).</summary>
    public const string ExamplePoliciesYaml = """
        policies:
          - id: clearance-covers-classification
            description: People may only read or train on data at or below their clearance.
            effect: forbid
            action: ["datasets:read", "models:train"]
            resource: { type: dataset }
            when: principal.clearance < resource.classification
          - id: restricted-needs-mfa
            effect: forbid
            resource: { type: dataset }
            when: resource.classification == classification("restricted") && !principal.mfa
          - id: four-eyes-promotion
            effect: forbid
            action: "models:promote"
            when: resource.stage == "production" && principal.id == resource.trainedBy
          - id: admin-from-admin-network
            effect: forbid
            action: ["users:manage", "keys:manage", "policies:manage"]
            unless: context.clientIp.isInRange(ip("10.0.0.0/8"))
        """;

    public static PolicySet Policies(string text)
    {
        var parsed = PolicyParser.Parse(text);
        Assert.True(parsed.Succeeded, parsed.Failure?.Detail);
        return parsed.Value;
    }

    public static EntityAttributes Principal(
        string id = "alice",
        string[]? roles = null,
        DataClassification? clearance = DataClassification.Confidential,
        bool mfa = true) =>
        EntityAttributes.Create(
            ("id", AttributeValue.FromString(id)),
            ("type", AttributeValue.FromString("user")),
            ("roles", AttributeValue.FromStrings(roles ?? ["data-scientist"])),
            ("clearance", clearance is null ? AttributeValue.Null : AttributeValue.FromClassification(clearance.Value)),
            ("mfa", AttributeValue.FromBool(mfa)));

    public static EntityAttributes Dataset(DataClassification classification, string id = "transactions") =>
        EntityAttributes.Create(
            ("type", AttributeValue.FromString("dataset")),
            ("id", AttributeValue.FromString(id)),
            ("project", AttributeValue.FromString("fraud")),
            ("classification", AttributeValue.FromClassification(classification)));

    public static EntityAttributes ModelVersion(string stage, string trainedBy) =>
        EntityAttributes.Create(
            ("type", AttributeValue.FromString("modelVersion")),
            ("id", AttributeValue.FromString("fraud:3")),
            ("stage", AttributeValue.FromString(stage)),
            ("trainedBy", AttributeValue.FromString(trainedBy)));

    public static EntityAttributes Context(string clientIp = "10.1.2.3") =>
        EntityAttributes.Create(
            ("clientIp", AttributeValue.FromIpAddress(IPAddress.Parse(clientIp))),
            ("time", AttributeValue.FromDateTime(new DateTimeOffset(2026, 3, 4, 9, 30, 0, TimeSpan.Zero))),
            ("risk", AttributeValue.FromLong(10)));

    public static AccessRequest Request(EntityAttributes principal, string action, EntityAttributes resource, EntityAttributes? context = null) =>
        new(principal, action, resource, context ?? Context());
}
