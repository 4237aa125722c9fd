namespace Bulwark.Core.Training;

/// <summary>
/// The one place a seeded <see cref="Random"/> is created. Training splits must be reproducible from the request's
/// seed (same data + seed = same model), which is the point of a seeded generator; nothing here is security-relevant,
/// so <see cref="System.Security.Cryptography.RandomNumberGenerator"/> would be the wrong tool.
/// </summary>
internal static class SeededRandom
{
    public static Random Create(int seed)
    {
#pragma warning disable RS0030 // banned API: deliberate, reproducibility is required here (see type remarks)
#pragma warning disable CA5394 // insecure randomness: not used for anything security-relevant
        return new Random(seed);
#pragma warning restore CA5394
#pragma warning restore RS0030
    }

    /// <summary>Fisher–Yates shuffle (Knuth TAOCP vol. 2, Algorithm P).</summary>
    public static void Shuffle<T>(Random random, IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
#pragma warning disable CA5394 // see type remarks
            var j = random.Next(i + 1);
#pragma warning restore CA5394
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
