namespace DigitalTwin.Cluster.Tests.Support;

/// <summary>The tests share one cluster and run one after another: some of them kill silos.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
