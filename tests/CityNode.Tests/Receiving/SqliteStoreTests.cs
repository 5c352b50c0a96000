using CityNode.Host.Stores;
using Microsoft.Data.Sqlite;
using Xunit;

namespace CityNode.Tests.Receiving;

public sealed class SqliteStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-sqlite-").FullName;

    private string DbPath => Path.Combine(_dir, "r.db");

    [Fact]
    public void Readings_and_diagnostics_round_trip()
    {
        using var store = new SqliteStore(DbPath);
        StoreContract.RoundTrips(store);
    }

    [Fact]
    public void Duplicates_are_dropped_also_after_a_restart()
    {
        using (var store = new SqliteStore(DbPath))
        {
            StoreContract.DropsDuplicates(store);
        }

        using var reopened = new SqliteStore(DbPath);
        Assert.Equal(new[] { false, true }, reopened.Store(new[] { StoreContract.Batch(1, 6), StoreContract.Batch(1, 7) }));
    }

    [Fact]
    public void A_new_diagnostics_field_becomes_a_column_of_an_existing_database()
    {
        new SqliteStore(DbPath).Dispose();
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "ALTER TABLE batches DROP COLUMN wait_ms"; // as written by a build before wait_ms existed
            cmd.ExecuteNonQuery();
        }

        using var store = new SqliteStore(DbPath);
        Assert.Equal(new[] { true }, store.Store(new[] { StoreContract.Batch(2, 1) }));
        Assert.Single(store.Batches());
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_by_name()
    {
        File.WriteAllText(DbPath, "this is a config file, not SQLite\n" + new string('x', 200));
        var e = Assert.Throws<StoreException>(() => new SqliteStore(DbPath));
        Assert.Contains(DbPath, e.Message);
        Assert.Contains("not a usable SQLite database", e.Message);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
