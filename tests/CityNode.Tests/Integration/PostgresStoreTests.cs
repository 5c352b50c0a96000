using CityNode.Host.Stores;
using CityNode.Tests.Receiving;
using Npgsql;
using Xunit;

namespace CityNode.Tests.Integration;

/// <summary>The city-scale store against a real PostgreSQL (a temporary cluster, Debian's postgresql package).</summary>
[Collection("postgres")]
public sealed class PostgresStoreTests(PostgresFixture pg)
{
    [Fact]
    public void Readings_and_diagnostics_round_trip()
    {
        using var store = new PostgresStore(pg.NewDatabase());
        StoreContract.RoundTrips(store);
    }

    [Fact]
    public void Batches_are_counted_in_node_ranges()
    {
        using var store = new PostgresStore(pg.NewDatabase());
        StoreContract.CountsBatchesInRanges(store);
    }

    [Fact]
    public void The_database_explains_itself_with_lookup_tables_and_readings_v()
    {
        string db = pg.NewDatabase();
        using var store = new PostgresStore(db);
        StoreContract.ExplainsItself(store, sql => Query(db, sql), Unix);

        using var again = new PostgresStore(db); // a second receiver opening it keeps the view and the lookups
        Assert.Equal(store.Count(), again.Count());
    }

    [Fact]
    public void Latest_values_follow_the_newest_reading_through_late_and_duplicate_batches()
    {
        string db = pg.NewDatabase();
        using var store = new PostgresStore(db);
        StoreContract.KeepsLatest(store, sql => Query(db, sql), Unix);
    }

    [Fact]
    public void A_database_from_before_the_latest_tables_is_filled_once_and_keeps_its_readings()
    {
        string db = pg.NewDatabase();
        StoreContract.BackfillsLatest(() => new PostgresStore(db), () => Query(db, "DROP TABLE latest; DROP TABLE latest_nodes"), sql => Query(db, sql), Unix);
    }

    private static long Unix(object t) => new DateTimeOffset(DateTime.SpecifyKind((DateTime)t, DateTimeKind.Utc)).ToUnixTimeSeconds();

    private static List<(string Name, object? Value)[]> Query(string db, string sql)
    {
        using var c = new NpgsqlConnection(db);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        using var r = cmd.ExecuteReader();
        var rows = new List<(string, object?)[]>();
        while (r.Read())
        {
            rows.Add(Enumerable.Range(0, r.FieldCount).Select(i => (r.GetName(i), r.IsDBNull(i) ? null : r.GetValue(i))).ToArray());
        }

        return rows;
    }

    [Fact]
    public void Duplicates_are_dropped()
    {
        using var store = new PostgresStore(pg.NewDatabase());
        StoreContract.DropsDuplicates(store);
    }

    [Fact]
    public async Task Two_receivers_storing_overlapping_batches_store_each_once()
    {
        // Shared-subscription redelivery can hand the same batch to two receivers at once.
        string db = pg.NewDatabase();
        using var a = new PostgresStore(db);
        using var b = new PostgresStore(db);
        var all = Enumerable.Range(1, 40).SelectMany(node => Enumerable.Range(1, 5).Select(seq => StoreContract.Batch((uint)node, (uint)seq, 4))).ToList();
        var first = all.Where((_, i) => i % 3 != 0).ToList();
        var second = all.Where((_, i) => i % 3 != 1).ToList();
        var ta = Task.Run(() => first.Chunk(17).Sum(c => a.Store(c).Count(x => x)));
        var tb = Task.Run(() => second.Chunk(13).Sum(c => b.Store(c).Count(x => x)));
        int stored = await ta + await tb;
        Assert.Equal(all.Count, stored);
        Assert.Equal(((long)all.Count, (long)all.Sum(x => x.ReadingCount)), a.Count());
    }

    [Fact]
    public void Readings_are_indexed_on_node_channel_and_time()
    {
        string db = pg.NewDatabase();
        using var store = new PostgresStore(db);
        using var conn = new NpgsqlConnection(db);
        conn.Open();
        using var cmd = new NpgsqlCommand("SELECT indexdef FROM pg_indexes WHERE tablename = 'readings'", conn);
        var defs = new List<string>();
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                defs.Add(r.GetString(0));
            }
        }

        Assert.Contains(defs, d => d.Contains("(node, channel, \"time\")", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unreachable_server_is_reported_with_its_reason()
    {
        var e = Assert.Throws<StoreException>(() => new PostgresStore($"Host=127.0.0.1;Port={CityNode.Testing.Servers.FreePort.Next()};Username=x;Timeout=2"));
        Assert.StartsWith("PostgreSQL: ", e.Message);
        var bad = Assert.Throws<StoreException>(() => new PostgresStore("Hots=127.0.0.1"));
        Assert.Contains("hots", bad.Message, StringComparison.OrdinalIgnoreCase);
    }
}
