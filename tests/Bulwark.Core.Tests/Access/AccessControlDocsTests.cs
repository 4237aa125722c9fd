using System.Text.RegularExpressions;
using Bulwark.Core.Access;

namespace Bulwark.Core.Tests.Access;

public sealed partial class AccessControlDocsTests
{
    private static List<string> YamlBlocks() =>
        YamlBlock().Matches(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "access-control.md")))
            .Select(m => m.Groups[1].Value)
            .ToList();

    [Fact]
    public void Docs_EveryPolicyExample_Parses()
    {
        var policyBlocks = YamlBlocks().Where(b => b.StartsWith("policies:", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, policyBlocks.Count);
        Assert.All(policyBlocks, block => Assert.True(PolicyParser.Parse(block).Succeeded, PolicyParser.Parse(block).Failure?.Detail));
    }

    [Fact]
    public void Docs_TestExample_PassesAgainstTheExamplePolicies()
    {
        var blocks = YamlBlocks();
        var policies = PolicyParser.Parse(blocks.Last(b => b.StartsWith("policies:", StringComparison.Ordinal))).Value!;
        var tests = PolicyTestFile.Parse(blocks.Single(b => b.StartsWith("tests:", StringComparison.Ordinal))).Value!;

        var results = PolicyTestRunner.Run(tests, policies, RoleCatalog.BuiltIn);

        Assert.All(results, r => Assert.True(r.Passed, $"{r.Name}: {r.Failure}"));
    }

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex YamlBlock();
}
