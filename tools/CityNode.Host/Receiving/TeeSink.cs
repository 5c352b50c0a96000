namespace CityNode.Host.Receiving;

/// <summary>
/// Stores into a database first and then hands what was new to a second sink (the simulation's
/// checker), so a database failure leaves both untouched and the receiver's retry is clean.
/// </summary>
public sealed class TeeSink(IBatchSink database, IBatchSink then) : IBatchSink
{
    public bool[] Store(IReadOnlyList<ReceivedBatch> batches)
    {
        bool[] stored = database.Store(batches);
        then.Store(batches.Where((_, i) => stored[i]).ToList());
        return stored;
    }

    public IReadOnlyList<uint> StoredSequences(uint node, uint from, int max) => database.StoredSequences(node, from, max);

    public void Dispose()
    {
        database.Dispose();
        then.Dispose();
    }
}
