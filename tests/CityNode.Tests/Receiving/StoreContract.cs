using CityNode.Host.Receiving;
using CityNode.Host.Stores;
using Xunit;

namespace CityNode.Tests.Receiving;

/// <summary>What every receiver database must do, run against SQLite and PostgreSQL alike.</summary>
public static class StoreContract
{
    public static ReceivedBatch Batch(uint node, uint seq, int samples = 10) =>
        ReceivedBatch.Decode(TestPayloads.Rich(node, seq, samples), DateTimeOffset.FromUnixTimeMilliseconds(1_760_000_123_456));

    /// <summary>Readings come back exactly as decoded (values, statuses, units, times), missing slots left out.</summary>
    public static void RoundTrips(ITelemetryStore store)
    {
        var batches = new[] { Batch(7, 1), Batch(7, 2), Batch(8, 1, samples: 3) };
        Assert.Equal(new[] { true, true, true }, store.Store(batches));
        var expected = batches.SelectMany(Reading.From).OrderBy(r => r.Node).ThenBy(r => r.Time).ThenBy(r => r.ChannelId).ToList();
        var actual = store.Readings().ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);
        Assert.Contains(actual, r => r.Status == CityNode.Telemetry.ReadingStatus.Fault && r.Value is null);
        Assert.Equal((3L, (long)expected.Count), store.Count());

        Assert.Equal(expected.Where(r => r.Node == 8).ToList(), store.Readings(node: 8).ToList());
        long t = batches[1].Samples.Times[4];
        Assert.Equal(expected.Where(r => r.Time >= t).ToList(), store.Readings(since: t).ToList());

        var rec = store.Batches(7).ToList();
        Assert.Equal(new uint[] { 1, 2 }, rec.Select(b => b.Sequence));
        Assert.Equal(3702, rec[1].Diagnostic("battery_mv"));
        Assert.Equal(-71, rec[1].Diagnostic("rssi_dbm"));
        Assert.Null(rec[1].Diagnostic("wait_ms"));
        Assert.Equal("sensor pm: no frame", rec[1].DiagnosticsText);
        Assert.Equal(batches[1].ReadingCount, rec[1].Readings);
        Assert.Equal(batches[1].PayloadBytes, rec[1].PayloadBytes);
        Assert.Equal(batches[1].ReceivedAt, rec[1].ReceivedAt);
    }

    /// <summary>A batch stored before (also in the same call) is reported as a duplicate and its readings are not stored twice.</summary>
    public static void DropsDuplicates(ITelemetryStore store)
    {
        Assert.Equal(new[] { true, false }, store.Store(new[] { Batch(1, 5), Batch(1, 5) }));
        Assert.Equal(new[] { false, true }, store.Store(new[] { Batch(1, 5), Batch(1, 6) }));
        Assert.Equal((2L, (long)(Batch(1, 5).ReadingCount * 2)), store.Count());
    }

    /// <summary>
    /// The database explains itself (issue 14, item 16): <c>readings_v</c> has the columns a person
    /// expects and every stored reading with its channel name, unit symbol and status name; the lookup
    /// tables name every code. <paramref name="query"/> runs SQL on the store's database; <paramref name="unix"/>
    /// turns the view's time back into unix seconds.
    /// </summary>
    public static void ExplainsItself(ITelemetryStore store, Func<string, List<(string Name, object? Value)[]>> query, Func<object, long> unix)
    {
        var batches = new[] { Batch(7, 1), Batch(8, 1, samples: 3) };
        store.Store(batches);
        var rows = query("SELECT * FROM readings_v ORDER BY node, time, channel");
        Assert.Equal(new[] { "node", "time", "channel", "value", "unit", "status", "seq" }, rows[0].Select(c => c.Name).ToArray());

        var expected = batches.SelectMany(Reading.From)
            .Select(r => $"{r.Node} {r.Time} {r.Channel} {(r.Value is decimal v ? Reading.Format(v) : "null")} {r.Unit} {r.StatusName} {r.Sequence}")
            .Order().ToList();
        var actual = rows.Select(c => $"{Convert.ToInt64(c[0].Value)} {unix(c[1].Value!)} {c[2].Value} " +
                $"{(c[3].Value is null or DBNull ? "null" : Reading.Format((decimal)Convert.ToDouble(c[3].Value)))} {c[4].Value} {c[5].Value} {Convert.ToInt64(c[6].Value)}")
            .Order().ToList();
        Assert.Equal(expected, actual);
        Assert.Contains(actual, r => r.Contains(" fault ", StringComparison.Ordinal));

        var units = query("SELECT id, symbol, name FROM units").ToDictionary(r => Convert.ToInt32(r[0].Value), r => (string)r[1].Value!);
        Assert.Equal(CityNode.Telemetry.Units.Last + 1, units.Count);
        Assert.All(units, u => Assert.Equal(CityNode.Telemetry.Units.Symbol(u.Key), u.Value));
        var statuses = query("SELECT id, name, meaning FROM statuses").ToDictionary(r => Convert.ToInt32(r[0].Value), r => (string)r[1].Value!);
        Assert.Equal(new[] { "ok", "missing", "fault", "invalid" }, statuses.OrderBy(s => s.Key).Select(s => s.Value).ToArray());
    }

    /// <summary>What a group member counts its gaps against: the batches every member stored, per node range (issue 14, item 15).</summary>
    public static void CountsBatchesInRanges(ITelemetryStore store)
    {
        store.Store(new[] { Batch(1, 1, 2), Batch(1, 2, 2), Batch(1, 4, 2), Batch(2, 7, 2), Batch(3, 1, 2) });
        Assert.Equal(3, store.CountBatches([(1, 1, 5)]));
        Assert.Equal(3, store.CountBatches([(1, 2, 4), (2, 1, 9), (3, 2, 2)])); // node 1: 2 and 4; node 2: 7; node 3 has only 1
        Assert.Equal(0, store.CountBatches([]));

        // What the receiver acknowledges to a node (issue 19): the node's stored sequences from a floor, ascending, bounded.
        Assert.Equal(new uint[] { 1, 2, 4 }, store.StoredSequences(1, 1, 10));
        Assert.Equal(new uint[] { 2, 4 }, store.StoredSequences(1, 2, 10));
        Assert.Equal(new uint[] { 1, 2 }, store.StoredSequences(1, 1, 2));
        Assert.Empty(store.StoredSequences(4, 1, 10));
    }

    /// <summary>
    /// The latest tables (issue 17, item 3) after batches arrive out of order, late and twice: <c>latest</c>
    /// holds per (node, channel) the stored reading with the greatest (time, seq), <c>latest_nodes</c> per node
    /// the greatest seq, last sample time and arrival. Expected values come from the readings and batches
    /// the store gives back, not from the tables' own code. <paramref name="query"/> and <paramref name="unix"/> as in <see cref="ExplainsItself"/>.
    /// </summary>
    public static void KeepsLatest(ITelemetryStore store, Func<string, List<(string Name, object? Value)[]>> query, Func<object, long> unix)
    {
        // Node 9's seq 1 (20 samples) reaches past its seq 2 (10 samples) and arrives after it: seq 1 holds the
        // newest values. Node 7's seq 1 comes after seq 3. Node 8's last sample has no pH (a missing slot), so its pH is older.
        store.Store(new[] { Batch(7, 3), Batch(9, 2, samples: 10) });
        store.Store(new[] { Batch(7, 1), Batch(7, 3), Batch(9, 1, samples: 20) });
        store.Store(new[] { Batch(8, 1, samples: 3), Batch(7, 2), Batch(7, 2) });
        AssertLatest(store, query, unix);
        var nine = query($"SELECT seq, time FROM {StoreSchema.Latest} WHERE node = 9");
        Assert.All(nine, r => Assert.Equal(1L, Convert.ToInt64(r[0].Value)));
        var eight = query($"SELECT count(DISTINCT time) FROM {StoreSchema.Latest} WHERE node = 8");
        Assert.Equal(2L, Convert.ToInt64(eight[0][0].Value));
    }

    /// <summary>What <see cref="KeepsLatest"/> checks: both latest tables against the stored readings and batches.</summary>
    public static void AssertLatest(ITelemetryStore store, Func<string, List<(string Name, object? Value)[]>> query, Func<object, long> unix)
    {
        // SQLite keeps the arrival in unix ms (an integer), PostgreSQL as a timestamptz.
        long ReceivedMs(object v) => v is DateTime t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeMilliseconds() : Convert.ToInt64(v);
        var expected = store.Readings().GroupBy(r => (r.Node, r.ChannelId))
            .Select(g => g.OrderByDescending(r => r.Time).ThenByDescending(r => r.Sequence).First())
            .OrderBy(r => r.Node).ThenBy(r => r.ChannelId)
            .Select(r => $"{r.Node} {r.ChannelId} {r.Unit} {r.Time} {(r.Value is decimal v ? Reading.Format(v) : "null")} {r.Status} {r.Sequence}").ToList();
        var actual = query($"SELECT node, channel, unit, time, value, status, seq FROM {StoreSchema.Latest} ORDER BY node, channel")
            .Select(c => $"{Convert.ToInt64(c[0].Value)} {Convert.ToInt32(c[1].Value)} {CityNode.Telemetry.Units.Symbol(Convert.ToInt32(c[2].Value))} {unix(c[3].Value!)} " +
                $"{(c[4].Value is null or DBNull ? "null" : Reading.Format((decimal)Convert.ToDouble(c[4].Value)))} {Convert.ToInt32(c[5].Value)} {Convert.ToInt64(c[6].Value)}").ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);

        var nodes = store.Batches().GroupBy(b => b.Node).OrderBy(g => g.Key)
            .Select(g => $"{g.Key} {g.Max(b => b.Sequence)} {g.Max(b => b.LastTime)} {g.Max(b => b.ReceivedAt.ToUnixTimeMilliseconds())}").ToList();
        var got = query($"SELECT * FROM {StoreSchema.LatestNodes} ORDER BY node")
            .Select(c => $"{Convert.ToInt64(c[0].Value)} {Convert.ToInt64(c[1].Value)} {unix(c[2].Value!)} {ReceivedMs(c[3].Value!)}").ToList();
        Assert.Equal(nodes, got);
    }

    /// <summary>
    /// A database from before the latest tables (made by dropping them, as <paramref name="dropLatest"/> does) is
    /// filled once when a store opens it (<paramref name="open"/>), and its readings and batches stay as they were.
    /// </summary>
    public static void BackfillsLatest(Func<ITelemetryStore> open, Action dropLatest, Func<string, List<(string Name, object? Value)[]>> query, Func<object, long> unix)
    {
        List<Reading> readings;
        List<BatchRecord> batches;
        using (var store = open())
        {
            store.Store(new[] { Batch(7, 3), Batch(9, 2, samples: 10), Batch(7, 1), Batch(9, 1, samples: 20), Batch(8, 1, samples: 3) });
            readings = store.Readings().ToList();
            batches = store.Batches().ToList();
        }

        dropLatest();
        Assert.Empty(query($"SELECT node FROM readings_v WHERE node = 0")); // the database still opens for reading
        using (var reopened = open())
        {
            Assert.Equal(readings, reopened.Readings().ToList());
            Assert.Equal(batches.Select(b => (b.Node, b.Sequence, b.ReceivedAt, b.LastTime)), reopened.Batches().Select(b => (b.Node, b.Sequence, b.ReceivedAt, b.LastTime)));
            AssertLatest(reopened, query, unix);

            // Kept up from there on, forward only.
            reopened.Store(new[] { Batch(7, 2), Batch(8, 2, samples: 3) });
            AssertLatest(reopened, query, unix);
        }
    }
}
