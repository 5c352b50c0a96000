using CityNode.Testing.Servers;
using Xunit;

namespace CityNode.Tests.Integration;

/// <summary>One temporary PostgreSQL cluster for the tests of a class; each test takes a database of its own.</summary>
public sealed class PostgresFixture : IDisposable
{
    private readonly Lazy<LocalPostgres> _server = new(() => new LocalPostgres());
    private int _next;

    public string NewDatabase() => _server.Value.CreateDatabase($"t{Interlocked.Increment(ref _next)}");

    public void Dispose()
    {
        if (_server.IsValueCreated)
        {
            _server.Value.Dispose();
        }
    }
}

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
}
