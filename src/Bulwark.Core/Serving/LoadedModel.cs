using Bulwark.Core.Monitoring;

namespace Bulwark.Core.Serving;

/// <summary>
/// A verified model version held in memory with its runtime. The schema comes from the signed manifest, not from the
/// database row. Reference-counted: the cache holds one reference and each prediction one more, so unloading a model
/// (promotion, retirement) never disposes a runtime a request is still using.
/// </summary>
internal sealed class LoadedModel(Guid versionId, string modelName, int version, string manifestDigest, FeatureSchema schema, IModelRuntime runtime)
{
    private int _references = 1;

    public Guid VersionId { get; } = versionId;
    public string ModelName { get; } = modelName;
    public string ProjectId { get; init; } = "";
    public int Version { get; } = version;
    public string ManifestDigest { get; } = manifestDigest;
    public FeatureSchema Schema { get; } = schema;
    public IModelRuntime Runtime { get; } = runtime;

    /// <summary>
    /// The signed reference profile of the training rows; null for imported models and versions trained before
    /// profiles existed (they serve without an out-of-distribution guard).
    /// </summary>
    public ReferenceProfile? Reference { get; init; }

    /// <summary>The out-of-distribution guard built from <see cref="Reference"/>; null without one.</summary>
    public OutOfDistributionGuard? OutOfDistribution { get; init; }

    /// <summary>Allocation-free feature and category lookups for request parsing.</summary>
    public FeatureIndex Index { get; } = new(schema);

    /// <summary>Takes a reference; false when the model was already unloaded.</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Runtime.Dispose();
        }
    }
}
