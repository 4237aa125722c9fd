namespace Bulwark.Core.Incidents.Detection;

/// <summary>One client address's recent authentication failures: how many, and against which accounts.</summary>
internal sealed class AddressFailures(WindowSlots slots, int maxEvidence)
{
    private readonly Dictionary<string, long> accounts = new(StringComparer.Ordinal);
    private long latest = long.MinValue;

    public WindowCounter Failures { get; } = new(slots, maxEvidence);

    public int UnknownAccounts { get; private set; }

    public int DistinctAccounts => accounts.Count;

    public IEnumerable<string> NamedAccounts => accounts.Keys.Where(a => !a.StartsWith('?')).Order(StringComparer.Ordinal);

    /// <summary>Adds a failure against <paramref name="account"/>; a null account is an unknown login, distinct from every other.</summary>
    public void Add(DateTimeOffset at, long sequence, string? account)
    {
        latest = Math.Max(at.UtcTicks, latest);
        Failures.Add(at, sequence);
        foreach (var expired in accounts.Where(a => slots.IsExpired(a.Value, latest)).Select(a => a.Key).ToList())
        {
            accounts.Remove(expired);
            UnknownAccounts -= expired.StartsWith('?') ? 1 : 0;
        }

        if (account is null)
        {
            // Each unknown login is its own attempt: the ledger keeps no typed login (people type passwords there).
            accounts["?" + DetectionText.Number(sequence)] = latest;
            UnknownAccounts++;
        }
        else
        {
            accounts[account] = latest;
        }
    }
}
