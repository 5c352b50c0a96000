using CityNode.Host.Receiving;
using CityNode.Host.Stores;
using CityNode.Serve;
using CityNode.Tests.Integration;
using CityNode.Tests.Receiving;
using Npgsql;
using Xunit;

namespace CityNode.Tests.Serve;

/// <summary>serve's queries on a real PostgreSQL written by the receiver's store, and its read-only connections.</summary>
[Collection("postgres")]
public sealed class ServePostgresTests(PostgresFixture pg)
{
    [Fact]
    public void Latest_sample_pages_and_series_match_the_receivers_readings()
    {
        string cs = pg.NewDatabase();
        using var store = new PostgresStore(cs);
        var batches = new[] { (1u, 1u), (1u, 2u), (2u, 1u), (3u, 5u) }.Select(x => ReceivedBatch.Decode(TestPayloads.Rich(x.Item1, x.Item2), DateTimeOffset.UtcNow)).ToList();
        store.Store(batches);
        using var serve = ServeStore.Open(null, cs);
        Assert.True(serve.HasNodeTimeIndex());

        var all = store.Readings().ToList();
        var expected = all.GroupBy(r => r.Node).SelectMany(g => g.Where(r => r.Time == g.Max(x => x.Time))).OrderBy(r => r.Node).ThenBy(r => r.ChannelId).ToList();
        Assert.Equal(expected, serve.LatestReadings());
        Assert.Equal(expected.Where(r => r.Node == 1), serve.LatestReadings(1));

        var node1 = all.Where(r => r.Node == 1).OrderBy(r => r.Time).ThenBy(r => r.ChannelId).ToList();
        var paged = new List<Reading>();
        (long t, int c) after = (0, 255);
        while (true)
        {
            var page = serve.Page(1, null, ApiInput.MinTime, ApiInput.MaxTime, after.t, after.c, 7);
            paged.AddRange(page);
            if (page.Count < 7)
            {
                break;
            }

            after = (page[^1].Time, page[^1].ChannelId);
        }

        Assert.Equal(node1, paged);
        var ph = node1.Where(r => r.Channel == "ph" && r.Value is not null).ToList();
        var series = serve.Series(1, CityNode.Telemetry.Channels.Ph, ph[0].Time, ph[^1].Time, 60);
        Assert.Equal(ph.Select(r => (double)r.Value!.Value), series.Select(p => p.Mean));
        Assert.Equal(new uint[] { 1, 2, 3 }, serve.LastBatches().Select(b => b.Node));
        Assert.Equal(new uint[] { 2, 1, 5 }, serve.LastBatches().Select(b => b.Sequence));
        Assert.Equal(new uint[] { 2, 1 }, serve.RecentBatches(1, 5).Select(b => b.Sequence));
    }

    [Fact]
    public void Latest_values_come_from_the_latest_table_and_without_it_from_the_newest_sample()
    {
        string cs = pg.NewDatabase();
        using var store = new PostgresStore(cs);
        // Node 20: seq 2 (its last sample without pH), then the older seq 1 late.
        store.Store(new[] { StoreContract.Batch(20, 2, samples: 3) });
        store.Store(new[] { StoreContract.Batch(20, 1, samples: 3), StoreContract.Batch(21, 1) });
        var all = store.Readings().ToList();
        var newestPerChannel = all.GroupBy(r => (r.Node, r.ChannelId)).Select(g => g.MaxBy(r => r.Time)).OrderBy(r => r.Node).ThenBy(r => r.ChannelId).ToList();
        using (var serve = ServeStore.Open(null, cs))
        {
            Assert.True(serve.HasLatestTables());
            Assert.Equal(newestPerChannel, serve.LatestReadings());
            Assert.Equal(newestPerChannel.Where(r => r.Node == 20), serve.LatestReadings(20));
            Assert.Equal(new uint[] { 2, 1 }, serve.LastBatches().Select(b => b.Sequence));
        }

        using (var conn = new NpgsqlConnection(cs))
        {
            conn.Open();
            using var drop = new NpgsqlCommand("DROP TABLE latest; DROP TABLE latest_nodes", conn); // as an older receiver left it
            drop.ExecuteNonQuery();
        }

        using var old = ServeStore.Open(null, cs);
        Assert.False(old.HasLatestTables());
        var newestSample = all.GroupBy(r => r.Node).SelectMany(g => g.Where(r => r.Time == g.Max(x => x.Time))).OrderBy(r => r.Node).ThenBy(r => r.ChannelId).ToList();
        Assert.Equal(newestSample, old.LatestReadings());
        Assert.Equal(new uint[] { 2, 1 }, old.LastBatches().Select(b => b.Sequence));
    }

    [Fact]
    public void Serves_connections_refuse_writes()
    {
        string cs = pg.NewDatabase();
        using (new PostgresStore(cs))
        {
        }

        using var conn = new NpgsqlConnection(PostgresServeStore.ReadOnly(cs));
        conn.Open();
        using var cmd = new NpgsqlCommand("DELETE FROM batches", conn);
        var e = Assert.Throws<PostgresException>(() => cmd.ExecuteNonQuery());
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, e.SqlState);
    }
}
