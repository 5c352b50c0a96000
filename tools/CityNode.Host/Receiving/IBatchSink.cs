namespace CityNode.Host.Receiving;

/// <summary>Where the receiver stores decoded batches: SQLite, PostgreSQL, or memory.</summary>
public interface IBatchSink : IDisposable
{
    /// <summary>Stores a batch that was not seen before. Returns false when (node, sequence) is already stored (a duplicate).</summary>
    bool Store(ReceivedBatch batch);

    /// <summary>(node, sequence) pairs already stored, loaded at start so a restarted receiver still deduplicates.</summary>
    IEnumerable<(uint Node, uint Sequence)> KnownBatches();
}
