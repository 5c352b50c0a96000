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

        /// <summary>
        /// Sectors of each application slot (<c>ota-a</c>, <c>ota-b</c>; <see cref="NodeAssembly.OtaSlotSectorsFor"/>
        /// the board's flash); 0: no update regions (a harness that does not update).
        /// </summary>
        public int OtaSlotSectors { get; set; }

        /// <summary>
        /// The version of the loader that started the application (firmware/CityNode.Loader), or 0 when the
        /// application is the deployed image itself: it then takes no update, because nothing would load
        /// a new slot (docs/ota.md, two ways to deploy).
        /// </summary>
        public uint LoaderVersion { get; set; }

        /// <summary>HMAC-SHA256 under the node's provisioned OTA key (the device: the native one-shot HMAC; a host: the managed one); null: the node takes no update.</summary>
        public CityNode.Ota.IHash256 OtaMac { get; set; }
    }
}
