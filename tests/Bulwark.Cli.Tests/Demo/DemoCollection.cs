namespace Bulwark.Cli.Tests.Demo;

/// <summary>Every class in this collection shares one running demo, so the suite trains it once.</summary>
[CollectionDefinition(Name)]
public sealed class DemoCollection : ICollectionFixture<DemoFixture>
{
    public const string Name = "demo";
}
