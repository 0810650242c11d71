namespace DigitalTwin.Persistence.Tests.Support;

/// <summary>
/// Classes in this collection share one <see cref="PostgresFixture"/>, so the run starts a single server; xunit runs
/// them one after another, which also keeps a test that cuts the database off from disturbing the others.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
