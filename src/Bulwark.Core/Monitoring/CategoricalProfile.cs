namespace Bulwark.Core.Monitoring;

/// <summary>How often each category occurred among the training rows (categories the split left out count 0).</summary>
/// <param name="Counts">Category → rows, in the schema's category order.</param>
internal sealed record CategoricalProfile(string Name, int Count, IReadOnlyDictionary<string, int> Counts);
