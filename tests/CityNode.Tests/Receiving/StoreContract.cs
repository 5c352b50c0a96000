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
}
