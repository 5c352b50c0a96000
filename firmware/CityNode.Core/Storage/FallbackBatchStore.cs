namespace CityNode.Storage
{
    /// <summary>
    /// Keeps a node working when its flash journal cannot take a batch (every sector retired as a
    /// bad block or worn out): the batch goes to a small RAM store instead and is published from
    /// there. Order is kept: once a batch is in RAM, later ones follow it there until the RAM store
    /// is empty. What is in RAM does not survive a power cut — with dead flash nothing can — and
    /// <see cref="Degraded"/> says so in the node's health.
    /// </summary>
    public sealed class FallbackBatchStore : IBatchStore
    {
        private readonly IBatchStore _primary;
        private readonly int _ramBytes;
        private IBatchStore _ram;

        public FallbackBatchStore(IBatchStore primary, IBatchStore ram)
        {
            _primary = primary;
            _ram = ram;
        }

        /// <summary>
        /// With the RAM store created only when the journal first refuses a batch (a node with working
        /// flash never needs it: its <paramref name="ramBytes"/> stay off the heap, docs/device-budget.md).
        /// The allocation then happens on that failure path, once.
        /// </summary>
        public FallbackBatchStore(IBatchStore primary, int ramBytes)
        {
            _primary = primary;
            _ramBytes = ramBytes;
        }

        /// <summary>Batches that went to RAM because the journal refused them, since boot.</summary>
        public long Degraded { get; private set; }

        /// <summary>True once the RAM store exists (the journal refused a batch, or it was given).</summary>
        public bool HasRamStore { get { return _ram != null; } }

        public uint NextSequence
        {
            get
            {
                uint ram = _ram == null ? 0 : _ram.NextSequence;
                return _primary.NextSequence > ram ? _primary.NextSequence : ram;
            }
        }

        public int PendingCount { get { return _primary.PendingCount + (_ram == null ? 0 : _ram.PendingCount); } }

        public int MaxPayload
        {
            get
            {
                int ram = _ram != null ? _ram.MaxPayload : RamBatchStore.MaxPayloadFor(_ramBytes);
                return _primary.MaxPayload < ram ? _primary.MaxPayload : ram;
            }
        }

        public uint LastSampleId
        {
            get
            {
                uint ram = _ram == null ? 0 : _ram.LastSampleId;
                return _primary.LastSampleId > ram ? _primary.LastSampleId : ram;
            }
        }

        public long SealedReadings { get { return _primary.SealedReadings + (_ram == null ? 0 : _ram.SealedReadings); } }

        public long Recoveries { get { return _primary.Recoveries; } }

        public long DroppedBatches { get { return _primary.DroppedBatches + (_ram == null ? 0 : _ram.DroppedBatches); } }

        public long DroppedReadings { get { return _primary.DroppedReadings + (_ram == null ? 0 : _ram.DroppedReadings); } }

        public long QuarantinedBatches { get { return _primary.QuarantinedBatches + (_ram == null ? 0 : _ram.QuarantinedBatches); } }

        public long QuarantinedReadings { get { return _primary.QuarantinedReadings + (_ram == null ? 0 : _ram.QuarantinedReadings); } }

        public void Mount()
        {
            _primary.Mount();
            if (_ram != null)
            {
                _ram.Mount();
            }
        }

        public void Checkpoint()
        {
            _primary.Checkpoint();
        }

        public bool Append(uint sequence, byte[] payload, int offset, int count, int readings, uint lastSampleId)
        {
            if ((_ram == null || _ram.PendingCount == 0) && _primary.Append(sequence, payload, offset, count, readings, lastSampleId))
            {
                return true;
            }

            if (_ram == null)
            {
                _ram = new RamBatchStore(_ramBytes, 1); // the journal refused its first batch: RAM takes over
            }

            if (!_ram.Append(sequence, payload, offset, count, readings, lastSampleId))
            {
                return false;
            }

            Degraded++;
            return true;
        }

        public int Read(int ordinal, byte[] buffer, out uint sequence)
        {
            int inPrimary = _primary.PendingCount;
            return ordinal < inPrimary || _ram == null ? _primary.Read(ordinal, buffer, out sequence) : _ram.Read(ordinal - inPrimary, buffer, out sequence);
        }

        // The journal's batches are the older ones: they are released (in order) first.
        public uint OldestSequence
        {
            get { return _primary.PendingCount > 0 || _ram == null ? _primary.OldestSequence : _ram.OldestSequence; }
        }

        public void Release(uint sequence)
        {
            if (_primary.PendingCount > 0 || _ram == null)
            {
                _primary.Release(sequence);
            }
            else
            {
                _ram.Release(sequence);
            }
        }

        public void Quarantine(uint sequence)
        {
            if (_primary.PendingCount > 0 || _ram == null)
            {
                _primary.Quarantine(sequence);
            }
            else
            {
                _ram.Quarantine(sequence);
            }
        }
    }
}
