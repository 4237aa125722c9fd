using System.Globalization;

namespace Bulwark.Core.Access;

/// <summary>
/// A file of policy tests (JSON or YAML; format in docs/access-control.md), optionally with inline <c>policies:</c>.
/// Attribute values are strings, numbers, bools and lists; typed values are written <c>{ip: "10.1.2.3"}</c>,
/// <c>{datetime: "…"}</c>, <c>{classification: "restricted"}</c>, or inferred from the conventional attribute names.
/// </summary>
internal sealed record PolicyTestFile(IReadOnlyList<PolicyTestCase> Tests, PolicySet? Policies)
{
    public const string InvalidCode = "policy-test.invalid";
    public const int MaxTests = 1000;

    private static readonly string[] CaseKeys = ["name", "principal", "action", "resource", "context", "rbac", "expect", "policies"];

    public static Outcome<PolicyTestFile> Parse(string text)
    {
        var document = DocumentReader.Read(text, InvalidCode);
        if (!document.Succeeded)
        {
            return document.Failure;
        }

        try
        {
            var root = DocumentFields.Map(document.Value, "", "tests", "policies");
            var policiesNode = DocumentFields.Get(root, "policies");
            var policies = policiesNode is null || policiesNode.IsNull ? null : PolicyParser.ParsePolicies(policiesNode, "policies", 0);
            var testsNode = DocumentFields.Required(root, "", "tests");
            var items = DocumentFields.List(testsNode, "tests");
            if (items.Count > MaxTests)
            {
                throw DocumentFields.Fail("tests", testsNode, $"more than {MaxTests} tests");
            }

            var tests = items.Select((item, i) => ParseCase(item, $"tests[{i}]")).ToList();
            var duplicate = tests.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw DocumentFields.Fail("tests", testsNode, $"test name '{duplicate.Key}' is used twice");
            }

            return new PolicyTestFile(tests, policies);
        }
        catch (DocumentFormatException e)
        {
            return new Failure(InvalidCode, 400, e.Message);
        }
    }

    private static PolicyTestCase ParseCase(DocumentNode node, string path)
    {
        var map = DocumentFields.Map(node, path, CaseKeys);
        var name = DocumentFields.String(DocumentFields.Required(map, path, "name"), path + ".name");
        var at = $"{path} ('{name}')";
        var action = DocumentFields.String(DocumentFields.Required(map, at, "action"), at + ".action");
        var expectNode = DocumentFields.Required(map, at, "expect");
        var expectAllow = DocumentFields.String(expectNode, at + ".expect") switch
        {
            "allow" => true,
            "deny" => false,
            _ => throw DocumentFields.Fail(at + ".expect", expectNode, "must be allow or deny"),
        };

        var rbacNode = DocumentFields.Get(map, "rbac");
        bool? rbac = rbacNode is null || rbacNode.IsNull ? null : Scalar(rbacNode, "", at + ".rbac") switch
        {
            { Kind: AttributeKind.Bool } value => value.AsBool,
            _ => throw DocumentFields.Fail(at + ".rbac", rbacNode, "must be true or false"),
        };

        var expectedNode = DocumentFields.Get(map, "policies");
        var expected = expectedNode is null || expectedNode.IsNull ? null : DocumentFields.Strings(expectedNode, at + ".policies");

        var request = new AccessRequest(
            Entity(DocumentFields.Get(map, "principal"), at + ".principal"),
            action,
            Entity(DocumentFields.Get(map, "resource"), at + ".resource"),
            Entity(DocumentFields.Get(map, "context"), at + ".context"));
        return new PolicyTestCase(name, request, rbac, expectAllow, expected?.Order(StringComparer.Ordinal).ToArray());
    }

    private static EntityAttributes Entity(DocumentNode? node, string path)
    {
        if (node is null || node.IsNull)
        {
            return EntityAttributes.Empty;
        }

        if (node.Kind != DocumentNodeKind.Map)
        {
            throw DocumentFields.Fail(path, node, "must be a mapping of attributes");
        }

        return EntityAttributes.Create(node.Entries.Select(e => KeyValuePair.Create(e.Key, Value(e.Value, e.Key, DocumentFields.Join(path, e.Key)))));
    }

    private static AttributeValue Value(DocumentNode node, string name, string path)
    {
        switch (node.Kind)
        {
            case DocumentNodeKind.List:
                return AttributeValue.FromSet(node.Items.Select((item, i) => item.Kind == DocumentNodeKind.List
                    ? throw DocumentFields.Fail($"{path}[{i}]", item, "sets cannot be nested")
                    : Value(item, "", $"{path}[{i}]")));
            case DocumentNodeKind.Map:
                if (node.Entries.Count != 1 || node.Entries[0].Key is not ("ip" or "datetime" or "classification"))
                {
                    throw DocumentFields.Fail(path, node, "a typed value is written {ip: …}, {datetime: …} or {classification: …}");
                }

                var (type, inner) = node.Entries[0];
                return Typed(type, DocumentFields.String(inner, path + "." + type), path, node);
            default:
                var value = Scalar(node, name, path);
                var inferred = name switch
                {
                    "clearance" or "classification" => "classification",
                    "clientIp" => "ip",
                    "time" or "authTime" => "datetime",
                    _ => null,
                };
                return inferred is not null && value.Kind == AttributeKind.String ? Typed(inferred, value.AsString, path, node) : value;
        }
    }

    private static AttributeValue Scalar(DocumentNode node, string name, string path)
    {
        if (node.Text is null)
        {
            return AttributeValue.Null;
        }

        if (node.Quoted)
        {
            return AttributeValue.FromString(node.Text);
        }

        var text = node.Text;
        if (text is "true" or "false")
        {
            return AttributeValue.FromBool(text == "true");
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return AttributeValue.FromLong(number);
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && char.IsAsciiDigit(text[^1]))
        {
            return double.IsFinite(real) ? AttributeValue.FromDouble(real) : throw DocumentFields.Fail(path, node, $"'{name}' is not a finite number");
        }

        return AttributeValue.FromString(text);
    }

    private static AttributeValue Typed(string type, string text, string path, DocumentNode node)
    {
        var value = AttributeOperations.Convert(type, AttributeValue.FromString(text), 1);
        return value.IsError ? throw DocumentFields.Fail(path, node, $"invalid {type} '{text}'") : value;
    }
}
