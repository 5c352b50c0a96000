using System.Collections.Concurrent;
using System.Diagnostics;

namespace CityNode.Host.Receiving;

/// <summary>What a receiver has seen, per node and in total; safe to read while it runs.</summary>
public sealed class ReceiverStats
{
    private readonly ConcurrentDictionary<uint, NodeTrack> _nodes = new();
    private long _batches;
    private long _readings;
    private long _bytes;
    private long _duplicates;
    private long _rejected;

    public long Batches => Interlocked.Read(ref _batches);

    public long Readings => Interlocked.Read(ref _readings);

    public long PayloadBytes => Interlocked.Read(ref _bytes);

    public long DuplicatesSuppressed => Interlocked.Read(ref _duplicates);

    /// <summary>Payloads that failed to decode (logged with their reason).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public string? LastRejection { get; private set; }

    public IReadOnlyDictionary<uint, NodeTrack> Nodes => _nodes;

    private long _firstStoredTicks;
    private long _lastStoredTicks;

    /// <summary>Wall time from the first to the last stored batch (the receiver's active time, for throughput).</summary>
    public TimeSpan ActiveTime => Stopwatch.GetElapsedTime(Interlocked.Read(ref _firstStoredTicks), Interlocked.Read(ref _lastStoredTicks));

    internal void Stored(ReceivedBatch b)
    {
        long now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstStoredTicks, now, 0);
        Interlocked.Exchange(ref _lastStoredTicks, now);
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _readings, b.ReadingCount);
        Interlocked.Add(ref _bytes, b.PayloadBytes);
        _nodes.GetOrAdd(b.NodeId, _ => new NodeTrack()).Add(b);
    }

    internal void Duplicate() => Interlocked.Increment(ref _duplicates);

    internal void Reject(string reason)
    {
        Interlocked.Increment(ref _rejected);
        LastRejection = reason;
    }

    /// <summary>Sequence numbers missing between the lowest and highest seen, over all nodes.</summary>
    public long Gaps => _nodes.Values.Sum(n => n.Gaps);

    /// <summary>
    /// Gaps for a member of a shared group: the other members store part of each node's batches, so
    /// a hole in what this receiver saw is not a loss. Counts the sequence numbers missing from the
    /// shared store (<paramref name="storedIn"/>: batches stored within the ranges) over the range
    /// this receiver saw of each node.
    /// </summary>
    public long GapsIn(Func<IReadOnlyList<(uint Node, uint From, uint To)>, long> storedIn)
    {
        var ranges = _nodes.Select(n => (n.Key, n.Value.MinSequence, n.Value.MaxSequence)).Where(r => r.MinSequence <= r.MaxSequence).ToList();
        return ranges.Count == 0 ? 0 : Math.Max(0, ranges.Sum(r => (long)r.MaxSequence - r.MinSequence + 1) - storedIn(ranges));
    }

    /// <summary>Batches that arrived after a later batch of the same node.</summary>
    public long OutOfOrder => _nodes.Values.Sum(n => n.OutOfOrder);

    /// <summary>Per node: what arrived, and what the node says it produced and dropped.</summary>
    public sealed class NodeTrack
    {
        private readonly HashSet<uint> _seqs = new();
        private readonly object _lock = new();

        public long Readings { get; private set; }

        public long Batches { get; private set; }

        public long OutOfOrder { get; private set; }

        /// <summary>Highest cumulative counters the node reported.</summary>
        public long ProducedReported { get; private set; }

        public long DroppedReported { get; private set; }

        public long QuarantinedBatchesReported { get; private set; }

        public long ConfigVersion { get; private set; }

        public long ConfigRejectedVersion { get; private set; }

        public string? ConfigRejectReason { get; private set; }

        /// <summary>
        /// Readings the node says it produced (and did not count as dropped) that never arrived:
        /// what a gap cost, from the node's own cumulative counters in its latest batch.
        /// </summary>
        public long Unaccounted => Math.Max(0, ProducedReported - DroppedReported - Readings);

        public uint MinSequence { get; private set; } = uint.MaxValue;

        public uint MaxSequence { get; private set; }

        public IReadOnlyDictionary<string, long> LastDiagnostics { get; private set; } = new Dictionary<string, long>();

        public long Gaps
        {
            get
            {
                lock (_lock)
                {
                    return _seqs.Count == 0 ? 0 : (long)MaxSequence - MinSequence + 1 - _seqs.Count;
                }
            }
        }

        /// <summary>The sequence numbers that never arrived (between the first and last seen).</summary>
        public IReadOnlyList<uint> MissingSequences()
        {
            lock (_lock)
            {
                var missing = new List<uint>();
                for (uint s = MinSequence; s <= MaxSequence && _seqs.Count > 0; s++)
                {
                    if (!_seqs.Contains(s))
                    {
                        missing.Add(s);
                    }
                }

                return missing;
            }
        }

        internal void Add(ReceivedBatch b)
        {
            lock (_lock)
            {
                if (_seqs.Count > 0 && b.Sequence < MaxSequence)
                {
                    OutOfOrder++;
                }

                _seqs.Add(b.Sequence);
                MinSequence = Math.Min(MinSequence, b.Sequence);
                MaxSequence = Math.Max(MaxSequence, b.Sequence);
                Readings += b.ReadingCount;
                Batches++;
                ProducedReported = Math.Max(ProducedReported, b.Diagnostic("produced_readings") ?? 0);
                DroppedReported = Math.Max(DroppedReported, b.Diagnostic("dropped_readings") ?? 0);
                QuarantinedBatchesReported = Math.Max(QuarantinedBatchesReported, b.Diagnostic("quarantined_batches") ?? 0);
                if (b.Sequence == MaxSequence)
                {
                    LastDiagnostics = b.Diagnostics;
                    ConfigVersion = b.Diagnostic("config_version") ?? ConfigVersion;
                    ConfigRejectedVersion = b.Diagnostic("config_rejected_version") ?? 0;
                    ConfigRejectReason = b.DiagnosticsText;
                }
            }
        }
    }
}
