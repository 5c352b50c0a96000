using System.Collections.Concurrent;

namespace CityNode.Host.Receiving;

/// <summary>Keeps batches in memory (simulation and tests); an optional callback sees each new batch.</summary>
public sealed class MemorySink : IBatchSink
{
    private readonly ConcurrentDictionary<(uint, uint), ReceivedBatch> _batches = new();

    public Action<ReceivedBatch>? OnStored { get; set; }

    /// <summary>When false, batches are checked and counted but not kept (large simulations).</summary>
    public bool Keep { get; set; } = true;

    public IReadOnlyCollection<ReceivedBatch> Batches => (IReadOnlyCollection<ReceivedBatch>)_batches.Values;

    private readonly ConcurrentDictionary<(uint, uint), byte> _seen = new();

    public bool Store(ReceivedBatch batch)
    {
        if (!_seen.TryAdd((batch.NodeId, batch.Sequence), 0))
        {
            return false;
        }

        if (Keep)
        {
            _batches[(batch.NodeId, batch.Sequence)] = batch;
        }

        OnStored?.Invoke(batch);
        return true;
    }

    public IEnumerable<(uint Node, uint Sequence)> KnownBatches() => _seen.Keys.Select(k => (k.Item1, k.Item2));

    public void Dispose()
    {
    }
}
