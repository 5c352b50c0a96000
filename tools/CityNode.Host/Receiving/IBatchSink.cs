namespace CityNode.Host.Receiving;

/// <summary>Where the receiver stores decoded batches: SQLite, PostgreSQL, or memory.</summary>
public interface IBatchSink : IDisposable
{
    /// <summary>
    /// Stores, all or nothing, the batches whose (node, sequence) is not stored yet, and says for
    /// each whether it was new (false: a duplicate). Throws if the store cannot take them; the
    /// receiver then keeps them unacknowledged and tries again.
    /// </summary>
    bool[] Store(IReadOnlyList<ReceivedBatch> batches);

    /// <summary>
    /// The sequences of a node's batches stored at or above <paramref name="from"/>, ascending, at
    /// most <paramref name="max"/>: what the backend acknowledges to the node (docs/reliability.md).
    /// A sink that cannot tell answers none, and acknowledges nothing.
    /// </summary>
    IReadOnlyList<uint> StoredSequences(uint node, uint from, int max) => Array.Empty<uint>();
}
