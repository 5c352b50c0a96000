using CityNode.Host.Receiving;

namespace CityNode.Host.Stores;

/// <summary>A receiver database: takes batches, gives back readings (for open data) and batch diagnostics (for energy calibration).</summary>
public interface ITelemetryStore : IBatchSink
{
    /// <summary>Readings ordered by node, time, channel; optionally one node and a time range (unix seconds, inclusive).</summary>
    IEnumerable<Reading> Readings(uint? node = null, long? since = null, long? until = null);

    /// <summary>Stored batches with their diagnostics, ordered by node and sequence.</summary>
    IEnumerable<BatchRecord> Batches(uint? node = null);

    /// <summary>Counts of stored batches and readings.</summary>
    (long Batches, long Readings) Count();

    /// <summary>Stored batches with a sequence number in [From, To] of their node, over all the ranges (what a group's members stored between them).</summary>
    long CountBatches(IReadOnlyList<(uint Node, uint From, uint To)> ranges) =>
        ranges.Sum(r => Batches(r.Node).LongCount(b => b.Sequence >= r.From && b.Sequence <= r.To));
}

/// <summary>A stored batch's header and diagnostics.</summary>
public sealed record BatchRecord(uint Node, uint Sequence, DateTimeOffset ReceivedAt, long FirstTime, long LastTime, int Readings, int PayloadBytes,
    IReadOnlyDictionary<string, long> Diagnostics, string? DiagnosticsText)
{
    public long? Diagnostic(string name) => Diagnostics.TryGetValue(name, out var v) ? v : null;
}
