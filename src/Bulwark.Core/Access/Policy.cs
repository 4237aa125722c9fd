namespace Bulwark.Core.Access;

/// <summary>
/// One permit or forbid rule. It <em>applies</em> when its principal, action and resource scopes match; it then
/// <em>matches</em> when <see cref="When"/> is true and <see cref="Unless"/> is false (evaluated in that order,
/// short-circuit, as in Cedar).
/// </summary>
internal sealed record Policy(
    string Id,
    string? Description,
    PolicyEffect Effect,
    EntityMatcher? Principal,
    ActionMatcher? Action,
    EntityMatcher? Resource,
    Condition? When,
    Condition? Unless)
{
    public bool Applies(AccessRequest request) =>
        (Principal is null || Principal.Matches(request.Principal))
        && (Action is null || Action.Matches(request.Action))
        && (Resource is null || Resource.Matches(request.Resource));

    /// <summary>True or false when the conditions could be decided, otherwise an error value.</summary>
    public AttributeValue EvaluateConditions(AccessRequest request)
    {
        if (When is not null)
        {
            var when = When.Evaluate(request);
            if (when.IsError || !when.AsBool)
            {
                return when;
            }
        }

        if (Unless is not null)
        {
            var unless = Unless.Evaluate(request);
            return unless.IsError ? unless : AttributeValue.FromBool(!unless.AsBool);
        }

        return AttributeValue.True;
    }
}
