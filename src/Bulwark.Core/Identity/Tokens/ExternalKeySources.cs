namespace Bulwark.Core.Identity.Tokens;

/// <summary>The key sources of the trusted external issuers, by issuer; loaded once at start-up, then refreshed by each source.</summary>
internal sealed class ExternalKeySources(IReadOnlyDictionary<string, IJwksSource> sources)
{
    public IReadOnlyDictionary<string, IJwksSource> Sources { get; } = sources;

    /// <summary>Loads every source; returns the issuers whose keys could not be loaded (their tokens fail until they can).</summary>
    public async Task<IReadOnlyList<string>> LoadAsync(CancellationToken cancellationToken = default)
    {
        var failed = new List<string>();
        foreach (var (issuer, source) in Sources)
        {
            if (!await source.RefreshAsync(cancellationToken))
            {
                failed.Add(issuer);
            }
        }

        return failed;
    }
}
