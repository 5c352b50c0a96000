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

    [Fact]
    public void Batches_are_counted_in_node_ranges()
    {
        using var store = new SqliteStore(DbPath);
        StoreContract.CountsBatchesInRanges(store);
    }

    [Fact]
    public void The_database_explains_itself_with_lookup_tables_and_readings_v()
    {
        using var store = new SqliteStore(DbPath);
        StoreContract.ExplainsItself(store, Query, t => DateTimeOffset.Parse((string)t, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string)Query("SELECT time FROM readings_v LIMIT 1")[0][0].Value!);
    }

    [Fact]
    public void A_database_from_before_received_at_ms_is_migrated_and_keeps_every_row()
    {
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            // The schema as earlier builds wrote it (received_at in ms under a bare name), with one batch and reading.
            cmd.CommandText =
                "CREATE TABLE batches (node INTEGER NOT NULL, seq INTEGER NOT NULL, received_at INTEGER NOT NULL, first_time INTEGER NOT NULL, " +
                "last_time INTEGER NOT NULL, readings INTEGER NOT NULL, payload_bytes INTEGER NOT NULL, diag_text TEXT, battery_mv INTEGER, PRIMARY KEY (node, seq)) WITHOUT ROWID;" +
                "CREATE TABLE readings (node INTEGER NOT NULL, channel INTEGER NOT NULL, unit INTEGER NOT NULL, time INTEGER NOT NULL, value REAL, status INTEGER NOT NULL, seq INTEGER NOT NULL);" +
                "CREATE TABLE channels (id INTEGER PRIMARY KEY, name TEXT NOT NULL);" +
                "INSERT INTO batches (node, seq, received_at, first_time, last_time, readings, payload_bytes, battery_mv) VALUES (4, 1, 1760000123456, 1760000000, 1760000060, 1, 40, 3712);" +
                "INSERT INTO readings VALUES (4, 1, 1, 1760000000, 21.5, 0, 1);";
            cmd.ExecuteNonQuery();
        }

        using (var store = new SqliteStore(DbPath))
        {
            var old = Assert.Single(store.Batches());
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_123_456), old.ReceivedAt);
            Assert.Equal(3712, old.Diagnostic("battery_mv"));
            Assert.Equal(new[] { true }, store.Store(new[] { StoreContract.Batch(4, 2) }));
        }

        using var reopened = new SqliteStore(DbPath); // a second open finds it migrated
        Assert.Equal(2, reopened.Batches().Count());
        Assert.Contains(Query("SELECT name FROM pragma_table_info('batches')"), r => (string)r[0].Value! == "received_at_ms");
        Assert.DoesNotContain(Query("SELECT name FROM pragma_table_info('batches')"), r => (string)r[0].Value! == "received_at");
        Assert.Equal("21.5 Cel air_temperature ok", string.Join(" ", Query("SELECT value, unit, channel, status FROM readings_v WHERE node = 4 AND seq = 1")[0].Select(c => Convert.ToString(c.Value, System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void Latest_values_follow_the_newest_reading_through_late_and_duplicate_batches()
    {
        using var store = new SqliteStore(DbPath);
        StoreContract.KeepsLatest(store, Query, Convert.ToInt64);
    }

    [Fact]
    public void A_database_from_before_the_latest_tables_is_filled_once_and_keeps_its_readings()
    {
        StoreContract.BackfillsLatest(() => new SqliteStore(DbPath), () => Write("DROP TABLE latest; DROP TABLE latest_nodes;"), Query, Convert.ToInt64);
    }

    private void Write(string sql)
    {
        using var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private List<(string Name, object? Value)[]> Query(string sql)
    {
        using var c = new SqliteConnection($"Data Source={DbPath};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<(string, object?)[]>();
        while (r.Read())
        {
            rows.Add(Enumerable.Range(0, r.FieldCount).Select(i => (r.GetName(i), r.IsDBNull(i) ? null : r.GetValue(i))).ToArray());
        }

        return rows;
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
