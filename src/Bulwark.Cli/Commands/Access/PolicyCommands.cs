using System.CommandLine;
using Bulwark.Cli.Connection;
using Bulwark.Core.Access;
using Spectre.Console;

namespace Bulwark.Cli.Commands.Access;

/// <summary><c>bulwark policy get|set|test</c>. <c>test</c> runs offline, so CI can check a policy change before it ships.</summary>
internal static class PolicyCommands
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("policy", "ABAC policies: show, activate and test them (docs/access-control.md)");
        command.Subcommands.Add(Get(console));
        command.Subcommands.Add(Set(console));
        command.Subcommands.Add(Test(console));
        return command;
    }

    private static Command Get(CliConsole console)
    {
        var command = new Command("get", "Print the policy document in force");
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            using var client = connection.CreateClient(parse);
            var info = await client.GetPoliciesAsync(ct);
            console.Error.WriteLine(TerminalText.Sanitize($"version {info.Version}, {info.Policies} policies, sha256 {info.Digest}"));
            // Line by line: the document is server-supplied text, and sanitizing it whole would also remove its newlines.
            foreach (var line in info.Document.Split('\n'))
            {
                console.Out.WriteLine(TerminalText.Sanitize(line.TrimEnd('\r')));
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Set(CliConsole console)
    {
        var file = new Argument<FileInfo>("file") { Description = "Policy document (YAML or JSON)" };
        var command = new Command("set", "Activate a new policy document (needs policies:manage and a session signed in with MFA)") { file };
        var connection = ConnectionOptions.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var text = await File.ReadAllTextAsync(parse.GetRequiredValue(file).FullName, ct);
            if (PolicyParser.Parse(text) is { Succeeded: false } invalid)
            {
                // Checked here too, so a typo is reported with its position before anything reaches the server.
                console.WriteError(invalid.Failure.Code, invalid.Failure.Detail);
                return ExitCodes.Usage;
            }

            using var client = connection.CreateClient(parse);
            var info = await client.PutPoliciesAsync(text, ct);
            console.Out.WriteLine(TerminalText.Sanitize($"Activated policy version {info.Version} ({info.Policies} policies, sha256 {info.Digest})"));
            return ExitCodes.Success;
        }, ct));
        return command;
    }

    private static Command Test(CliConsole console)
    {
        var file = new Argument<FileInfo>("file") { Description = "Test file: requests and expected decisions (YAML or JSON)" };
        var policies = new Option<FileInfo?>("--policies") { Description = "Policy document to test (else the test file's own 'policies:')" };
        var command = new Command("test", "Run policy tests offline (no server needed); exit 2 when a test fails, 1 when a file is invalid") { file, policies };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var tests = PolicyTestFile.Parse(await File.ReadAllTextAsync(parse.GetRequiredValue(file).FullName, ct));
            if (!tests.Succeeded)
            {
                console.WriteError(tests.Failure.Code, tests.Failure.Detail);
                return ExitCodes.Usage;
            }

            IReadOnlyList<PolicyTestResult> results;
            if (parse.GetValue(policies) is { } policyFile)
            {
                var set = PolicyParser.Parse(await File.ReadAllTextAsync(policyFile.FullName, ct));
                if (!set.Succeeded)
                {
                    console.WriteError(set.Failure.Code, set.Failure.Detail);
                    return ExitCodes.Usage;
                }

                results = PolicyTestRunner.Run(tests.Value, set.Value, RoleCatalog.BuiltIn);
            }
            else
            {
                results = PolicyTestRunner.Run(tests.Value, RoleCatalog.BuiltIn);
            }

            var table = new Table().AddColumns("Test", "Expected", "Actual", "Result", "Reason");
            foreach (var (test, r) in tests.Value.Tests.Zip(results))
            {
                var reason = r.Failure ?? r.Actual.Reason + (r.Actual.DeterminingPolicies.Count > 0 ? ": " + string.Join(", ", r.Actual.DeterminingPolicies) : string.Empty);
                table.AddRow(TerminalText.Cell(r.Name), test.ExpectAllow ? "allow" : "deny", r.Actual.Allowed ? "allow" : "deny", r.Passed ? "pass" : "FAIL",
                    TerminalText.Cell(reason));
            }

            console.Ansi.Write(table);
            var failed = results.Count(r => !r.Passed);
            console.Out.WriteLine(failed == 0 ? $"All {results.Count} policy tests pass." : $"{failed} of {results.Count} policy tests FAIL.");
            return failed == 0 ? ExitCodes.Success : ExitCodes.VerificationFailed;
        }, ct));
        return command;
    }
}
