namespace CityNode.Storage
{
    /// <summary>What a <see cref="FlashLog"/> asks of the structure stored in it.</summary>
    public interface ILogOwner
    {
        /// <summary>A new head sector was started: write whatever state must outlive older sectors.</summary>
        void SectorStarted(FlashLog log);

        /// <summary>
        /// The oldest sector is about to be erased to keep a sector free. Re-append what must be
        /// kept (compaction) or drop it and count it (a full journal); the log erases it afterwards.
        /// </summary>
        void Reclaim(FlashLog log, int sector);
    }
}
