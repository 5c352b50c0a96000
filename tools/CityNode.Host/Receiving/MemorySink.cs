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

    // Each node's stored sequences: what deduplicates, and what the receiver acknowledges.
    private readonly ConcurrentDictionary<uint, SortedSet<uint>> _byNode = new();

    public bool[] Store(IReadOnlyList<ReceivedBatch> batches)
    {
        var stored = new bool[batches.Count];
        for (int i = 0; i < stored.Length; i++)
        {
            var batch = batches[i];
            var sequences = _byNode.GetOrAdd(batch.NodeId, _ => new SortedSet<uint>());
            lock (sequences)
            {
                if (!sequences.Add(batch.Sequence))
                {
                    continue; // stored before: a duplicate
                }
            }

            if (Keep)
            {
                _batches[(batch.NodeId, batch.Sequence)] = batch;
            }

            OnStored?.Invoke(batch);
            stored[i] = true;
        }

        return stored;
    }

    public IReadOnlyList<uint> StoredSequences(uint node, uint from, int max)
    {
        if (!_byNode.TryGetValue(node, out var sequences))
        {
            return Array.Empty<uint>();
        }

        lock (sequences)
        {
            return sequences.GetViewBetween(from, uint.MaxValue).Take(max).ToArray();
        }
    }

    public void Dispose()
    {
    }
}
