using System.Collections.Frozen;

namespace Bulwark.Core.Access;

/// <summary>
/// The immutable attributes of a principal, a resource or the request context (conventional names are listed in
/// docs/access-control.md). Names are case-sensitive.
/// </summary>
internal sealed class EntityAttributes
{
    private readonly FrozenDictionary<string, AttributeValue> _values;

    private EntityAttributes(FrozenDictionary<string, AttributeValue> values) => _values = values;

    public static EntityAttributes Empty { get; } = new(FrozenDictionary<string, AttributeValue>.Empty);

    public IEnumerable<string> Names => _values.Keys;

    public int Count => _values.Count;

    public static EntityAttributes Create(IEnumerable<KeyValuePair<string, AttributeValue>> values)
    {
        var dictionary = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            if (value.IsError)
            {
                throw new ArgumentException($"Attribute '{name}' holds an error value.", nameof(values));
            }

            dictionary.Add(name, value);
        }

        return new EntityAttributes(dictionary.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public static EntityAttributes Create(params (string Name, AttributeValue Value)[] values) =>
        Create(values.Select(v => KeyValuePair.Create(v.Name, v.Value)));

    /// <summary>A present, non-null attribute (what the condition language's <c>has</c> tests).</summary>
    public bool TryGet(string name, out AttributeValue value) => _values.TryGetValue(name, out value) && !value.IsNull;

    public AttributeValue this[string name] => TryGet(name, out var value) ? value : AttributeValue.Null;

    public EntityAttributes With(string name, AttributeValue value)
    {
        var copy = new Dictionary<string, AttributeValue>(_values, StringComparer.Ordinal) { [name] = value };
        return new EntityAttributes(copy.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>The string members of a set attribute such as <c>roles</c>; empty when absent or not a set.</summary>
    public IEnumerable<string> Strings(string name) =>
        TryGet(name, out var value) && value.Kind == AttributeKind.Set
            ? value.AsSet.Where(v => v.Kind == AttributeKind.String).Select(v => v.AsString)
            : [];
}
