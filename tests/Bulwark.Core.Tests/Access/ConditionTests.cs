using Bulwark.Core.Access;
using Bulwark.Core.Datasets;

namespace Bulwark.Core.Tests.Access;

public sealed class ConditionTests
{
    private static readonly AccessRequest Sample = AccessFixtures.Request(
        AccessFixtures.Principal(roles: ["data-scientist", "approver"], clearance: DataClassification.Confidential),
        "datasets:read",
        AccessFixtures.Dataset(DataClassification.Restricted));

    private static AttributeValue Evaluate(string source, AccessRequest? request = null)
    {
        var compiled = Condition.Compile(source);
        Assert.True(compiled.Succeeded, compiled.Failure?.Detail);
        return compiled.Value.Evaluate(request ?? Sample);
    }

    private static string CompileError(string source)
    {
        var compiled = Condition.Compile(source);
        Assert.False(compiled.Succeeded, $"'{source}' compiled");
        Assert.Equal(PolicyParser.InvalidCode, compiled.Failure.Code);
        return compiled.Failure.Detail;
    }

    [Theory]
    [InlineData("principal.clearance < resource.classification", true)]
    [InlineData("principal.clearance >= resource.classification", false)]
    [InlineData("resource.classification == classification(\"restricted\")", true)]
    [InlineData("classification(\"public\") <= classification(\"internal\")", true)]
    [InlineData("principal.roles.contains(\"approver\")", true)]
    [InlineData("principal.roles.contains(\"admin\")", false)]
    [InlineData("\"approver\" in principal.roles", true)]
    [InlineData("\"x\" in [\"a\", \"x\"]", true)]
    [InlineData("principal.roles.containsAny([\"admin\", \"approver\"])", true)]
    [InlineData("principal.roles.containsAll([\"data-scientist\", \"approver\"])", true)]
    [InlineData("principal.roles.containsAll([\"data-scientist\", \"admin\"])", false)]
    [InlineData("context.clientIp.isInRange(ip(\"10.0.0.0/8\"))", true)]
    [InlineData("context.clientIp.isInRange(ip(\"192.168.0.0/16\"))", false)]
    [InlineData("context.clientIp == ip(\"10.1.2.3\")", true)]
    [InlineData("context.time.hour == 9 && context.time.dayOfWeek == 3", true)]
    [InlineData("context.time < datetime(\"2026-03-04T09:30:01Z\")", true)]
    [InlineData("context.time >= datetime(\"2026-03-04T10:30:00+01:00\")", true)]
    [InlineData("context.risk > 5 && context.risk <= 10.5", true)]
    [InlineData("context.risk == 10.0", true)]
    [InlineData("-3 < -2", true)]
    [InlineData("principal has clearance && has(principal.mfa)", true)]
    [InlineData("principal has ghost || has(resource.owner)", false)]
    [InlineData("!(principal.id != \"alice\")", true)]
    [InlineData("principal.id == \"al\\u0069ce\"", true)]
    [InlineData("true || principal.ghost", true)]
    [InlineData("false && principal.ghost", false)]
    [InlineData("principal has ghost && principal.ghost == 1", false)]
    public void Evaluate_Expression_ReturnsBool(string source, bool expected)
    {
        var result = Evaluate(source);

        Assert.Equal(AttributeKind.Bool, result.Kind);
        Assert.Equal(expected, result.AsBool);
    }

    [Theory]
    [InlineData("principal.ghost == 1", "principal.ghost is missing")]
    [InlineData("principal.id < 3", "cannot compare string < long")]
    [InlineData("principal.id < \"bob\"", "cannot compare string < string")]
    [InlineData("resource.classification == \"restricted\"", "cannot compare classification == string")]
    [InlineData("principal.id && true", "&& needs bool")]
    [InlineData("false || principal.id", "|| needs bool")]
    [InlineData("!principal.id", "! needs bool")]
    [InlineData("principal.id.contains(\"a\")", "contains needs a set")]
    [InlineData("principal.id.isInRange(ip(\"10.0.0.0/8\"))", "isInRange needs two ip values")]
    [InlineData("ip(principal.id).isInRange(ip(\"10.0.0.0/8\"))", "invalid ip")]
    [InlineData("principal.id.hour == 1", ".hour needs a datetime")]
    [InlineData("principal.id", "not bool")]
    public void Evaluate_TypeErrorOrMissingAttribute_IsErrorNotFalse(string source, string message)
    {
        var result = Evaluate(source);

        Assert.Equal(AttributeKind.Error, result.Kind);
        Assert.Contains(message, result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NegatedMissingAttribute_IsStillAnError() =>
        Assert.True(Evaluate("!(principal.ghost == 1)").IsError);

    [Fact]
    public void Evaluate_IpV4MappedV6Address_IsInTheV4Range()
    {
        var request = Sample with { Context = AccessFixtures.Context("::ffff:10.9.9.9") };

        Assert.True(Evaluate("context.clientIp.isInRange(ip(\"10.0.0.0/8\"))", request).AsBool);
    }

    [Fact]
    public void Evaluate_IpV6Address_IsNotInAV4Range()
    {
        var request = Sample with { Context = AccessFixtures.Context("2001:db8::1") };

        Assert.False(Evaluate("context.clientIp.isInRange(ip(\"10.0.0.0/8\"))", request).AsBool);
    }

    [Fact]
    public void Evaluate_ExplicitNullAttribute_IsMissing()
    {
        var request = Sample with { Principal = AccessFixtures.Principal(clearance: null) };

        Assert.False(Evaluate("principal has clearance", request).AsBool);
        Assert.True(Evaluate("principal.clearance < resource.classification", request).IsError);
    }

    [Theory]
    [InlineData("principal.id == ", 17, "unexpected end")]
    [InlineData("principal.id = \"a\"", 14, "'='")]
    [InlineData("(principal.mfa", 15, "expected ')'")]
    [InlineData("principal.id == \"abc", 17, "unterminated string")]
    [InlineData("principal.id == \"a\\q\"", 19, "unknown escape")]
    [InlineData("principal.x == 1 == 2", 18, "do not chain")]
    [InlineData("user.id == 1", 1, "unknown name 'user'")]
    [InlineData("principal == resource", 1, "must be followed by .attribute")]
    [InlineData("principal.roles.startsWith(\"a\")", 17, "unknown method")]
    [InlineData("context.time.month == 1", 14, "unknown property")]
    [InlineData("now() > 1", 1, "unknown function")]
    [InlineData("context.clientIp.isInRange(ip(\"10.0.0.300/8\"))", 31, "invalid ip")]
    [InlineData("context.clientIp.isInRange(ip(\"10.1.2.3/8\"))", 31, "invalid ip")]
    [InlineData("context.time > datetime(\"2026-01-01T00:00:00\")", 25, "invalid datetime")]
    [InlineData("resource.classification == classification(\"secret\")", 43, "invalid classification")]
    [InlineData("context.risk > 99999999999999999999", 16, "out of range")]
    [InlineData("principal.mfa && @", 18, "unexpected character '@'")]
    [InlineData("has(\"x\")", 1, "has(...) takes one attribute")]
    [InlineData("principal.mfa true", 15, "unexpected 'true'")]
    [InlineData("", 1, "unexpected end")]
    public void Compile_SyntaxError_ReportsPosition(string source, int position, string message)
    {
        var detail = CompileError(source);

        Assert.StartsWith($"at character {position}:", detail, StringComparison.Ordinal);
        Assert.Contains(message, detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_TooLong_IsRefused() =>
        Assert.Contains("longer than 4096", CompileError("true || " + string.Concat(Enumerable.Repeat("true || ", 600)) + "true"), StringComparison.Ordinal);

    [Fact]
    public void Compile_NestedTooDeep_IsRefused()
    {
        Assert.Contains("nested deeper", CompileError(new string('(', 33) + "true" + new string(')', 33)), StringComparison.Ordinal);
        Assert.Contains("nested deeper", CompileError(new string('!', 40) + "true"), StringComparison.Ordinal);
        Assert.True(Evaluate(new string('(', 30) + "true" + new string(')', 30)).AsBool);
    }

    [Fact]
    public void Compile_LongFlatChain_EvaluatesWithoutDeepRecursion()
    {
        var source = string.Join(" && ", Enumerable.Repeat("principal.mfa", 200));

        Assert.True(Evaluate(source).AsBool);
    }

    [Fact]
    public void Evaluate_CompiledCondition_DoesNotAllocate()
    {
        var condition = Condition.Compile(
            "principal.clearance < resource.classification && context.clientIp.isInRange(ip(\"10.0.0.0/8\"))"
            + " && principal.roles.containsAny([\"admin\", \"approver\"]) && context.time.hour >= 8 && !(principal.id == \"bob\")").Value!;
        for (var i = 0; i < 100; i++)
        {
            Assert.True(condition.Evaluate(Sample).AsBool);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            condition.Evaluate(Sample);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
