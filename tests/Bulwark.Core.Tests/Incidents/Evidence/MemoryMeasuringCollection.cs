namespace Bulwark.Core.Tests.Incidents.Evidence;

/// <summary>Tests that measure process-wide allocations run alone, so other tests' allocations do not count against them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuringCollection
{
    public const string Name = "memory-measuring";
}
