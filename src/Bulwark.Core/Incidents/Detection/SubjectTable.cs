namespace Bulwark.Core.Incidents.Detection;

/// <summary>
/// Per-subject state with a hard cap: when full, the least recently touched subject is forgotten. A flood of distinct
/// addresses therefore costs at most <c>capacity</c> entries, at the price of forgetting quiet subjects first.
/// </summary>
internal sealed class SubjectTable<TState>
{
    private readonly int capacity;
    private readonly Dictionary<string, LinkedListNode<KeyValuePair<string, TState>>> index = new(StringComparer.Ordinal);
    private readonly LinkedList<KeyValuePair<string, TState>> recency = new();

    public SubjectTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.capacity = capacity;
    }

    public int Count => index.Count;

    public bool TryGet(string key, out TState state)
    {
        if (index.TryGetValue(key, out var node))
        {
            Touch(node);
            state = node.Value.Value;
            return true;
        }

        state = default!;
        return false;
    }

    public TState GetOrAdd(string key, Func<TState> create)
    {
        if (TryGet(key, out var state))
        {
            return state;
        }

        state = create();
        Add(key, state);
        return state;
    }

    public void Set(string key, TState state)
    {
        if (index.TryGetValue(key, out var node))
        {
            node.Value = new KeyValuePair<string, TState>(key, state);
            Touch(node);
            return;
        }

        Add(key, state);
    }

    public bool Remove(string key)
    {
        if (!index.Remove(key, out var node))
        {
            return false;
        }

        recency.Remove(node);
        return true;
    }

    private void Add(string key, TState state)
    {
        if (index.Count >= capacity && recency.First is { } oldest)
        {
            index.Remove(oldest.Value.Key);
            recency.RemoveFirst();
        }

        index[key] = recency.AddLast(new KeyValuePair<string, TState>(key, state));
    }

    private void Touch(LinkedListNode<KeyValuePair<string, TState>> node)
    {
        if (node != recency.Last)
        {
            recency.Remove(node);
            recency.AddLast(node);
        }
    }
}
