namespace CityNode.Node
{
    /// <summary>
    /// What may differ between two nodes <see cref="NodeAssembly"/> builds, by name: the board's
    /// journal size, and the few departures a host harness needs (each says why where it is set).
    /// Everything else is built the device's way, in NodeAssembly only.
    /// </summary>
    public sealed class NodeOptions
    {
        /// <summary>The device's options for a board's journal size (board.journal_kb).</summary>
        public NodeOptions(int journalKilobytes)
        {
            JournalKilobytes = journalKilobytes;
            JournalSectorSize = NodeAssembly.JournalSectorSize;
        }

        public int JournalKilobytes { get; set; }

        /// <summary>Bytes per journal sector: <see cref="NodeAssembly.JournalSectorSize"/> on the device (a littlefs block).</summary>
        public int JournalSectorSize { get; set; }
    }
}
