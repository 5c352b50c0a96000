namespace CityNode.Storage
{
    /// <summary>
    /// Where sealed batches wait for the broker's acknowledgement. Oldest first; a batch leaves only
    /// when <see cref="Release"/> is called for its PUBACK (or <see cref="Quarantine"/> for a
    /// permanent refusal). When full, the oldest batch is dropped and counted.
    /// Implementations: <see cref="RamBatchStore"/> (RAM only) and
    /// <see cref="CityNode.Storage.FlashJournal"/> (survives power loss).
    /// </summary>
    public interface IBatchStore
    {
        /// <summary>Finds what survived the last reset (a flash journal replays its log; RAM has nothing to find).</summary>
        void Mount();

        /// <summary>Saves what makes the next <see cref="Mount"/> cheap (before a deep sleep; a flash journal's positions). Optional: RAM has nothing to save.</summary>
        void Checkpoint();

        /// <summary>Sequence number for the next batch (never reused, survives reboots where the store does).</summary>
        uint NextSequence { get; }

        int PendingCount { get; }

        /// <summary>
        /// Stores a batch encoded with <see cref="NextSequence"/>, holding the samples up to
        /// <paramref name="lastSampleId"/>; returns false when it cannot be kept at all (too large, store broken).
        /// </summary>
        bool Append(uint sequence, byte[] payload, int offset, int count, int readings, uint lastSampleId);

        /// <summary>Largest payload a batch may have.</summary>
        int MaxPayload { get; }

        /// <summary>Id of the last sample sealed into a stored batch.</summary>
        uint LastSampleId { get; }

        /// <summary>Readings sealed into batches since the store was created (persistent where the store is).</summary>
        long SealedReadings { get; }

        /// <summary>Boots that had to repair the store.</summary>
        long Recoveries { get; }

        /// <summary>Sequence number of the oldest pending batch; 0 when none is pending.</summary>
        uint OldestSequence { get; }

        /// <summary>Copies the <paramref name="ordinal"/>-th oldest pending batch into the buffer; returns its length, or -1.</summary>
        int Read(int ordinal, byte[] buffer, out uint sequence);

        /// <summary>
        /// The broker acknowledged the oldest pending batch, which has this sequence: forget it.
        /// MQTT requires PUBACKs in the order of the PUBLISHes (3.1.1 §4.6, 5.0 §4.6), so the
        /// publisher releases oldest first; a sequence that is not the oldest is ignored.
        /// </summary>
        void Release(uint sequence);

        /// <summary>The broker refused the oldest pending batch for good (MQTT 5 reason ≥ 0x80): forget it, count it.</summary>
        void Quarantine(uint sequence);

        /// <summary>Batches dropped because the store was full (oldest first).</summary>
        long DroppedBatches { get; }

        /// <summary>Readings in the dropped batches.</summary>
        long DroppedReadings { get; }

        /// <summary>Batches refused by the broker and quarantined.</summary>
        long QuarantinedBatches { get; }

        /// <summary>Readings in the quarantined batches.</summary>
        long QuarantinedReadings { get; }
    }
}
