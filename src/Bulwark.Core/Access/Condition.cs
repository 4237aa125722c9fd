namespace Bulwark.Core.Access;

/// <summary>A parsed and compiled <c>when</c> / <c>unless</c> condition.</summary>
internal sealed class Condition
{
    private readonly Func<AccessRequest, AttributeValue> _evaluate;

    private Condition(string source, Func<AccessRequest, AttributeValue> evaluate)
    {
        Source = source;
        _evaluate = evaluate;
    }

    public string Source { get; }

    /// <summary>Parses and compiles; a failure's detail starts with "at character N:".</summary>
    public static Outcome<Condition> Compile(string source)
    {
        var parsed = ConditionParser.Parse(source);
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        try
        {
            return new Condition(source, ConditionCompiler.Compile(parsed.Value));
        }
        catch (ConditionSyntaxException e)
        {
            return new Failure(PolicyParser.InvalidCode, 400, $"at character {e.Position}: {e.Message}", new Dictionary<string, object?> { ["position"] = e.Position });
        }
    }

    /// <summary>A bool, or an error value (missing attribute, type mismatch) that the engine treats as deny.</summary>
    public AttributeValue Evaluate(AccessRequest request)
    {
        var result = _evaluate(request);
        return result.Kind is AttributeKind.Bool or AttributeKind.Error
            ? result
            : AttributeOperations.Error(1, $"the condition is {AttributeValue.KindName(result.Kind)}, not bool");
    }
}
