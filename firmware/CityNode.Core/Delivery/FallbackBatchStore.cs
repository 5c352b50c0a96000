namespace CityNode.Delivery
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
        private readonly IBatchStore _ram;

        public FallbackBatchStore(IBatchStore primary, IBatchStore ram)
        {
            _primary = primary;
            _ram = ram;
        }

        /// <summary>Batches that went to RAM because the journal refused them, since boot.</summary>
        public long Degraded { get; private set; }

        public uint NextSequence
        {
            get { return _primary.NextSequence > _ram.NextSequence ? _primary.NextSequence : _ram.NextSequence; }
        }

        public int PendingCount { get { return _primary.PendingCount + _ram.PendingCount; } }

        public int MaxPayload { get { return _primary.MaxPayload < _ram.MaxPayload ? _primary.MaxPayload : _ram.MaxPayload; } }

        public uint LastSampleId
        {
            get { return _primary.LastSampleId > _ram.LastSampleId ? _primary.LastSampleId : _ram.LastSampleId; }
        }

        public long SealedReadings { get { return _primary.SealedReadings + _ram.SealedReadings; } }

        public long Recoveries { get { return _primary.Recoveries; } }

        public long DroppedBatches { get { return _primary.DroppedBatches + _ram.DroppedBatches; } }

        public long DroppedReadings { get { return _primary.DroppedReadings + _ram.DroppedReadings; } }

        public long QuarantinedBatches { get { return _primary.QuarantinedBatches + _ram.QuarantinedBatches; } }

        public long QuarantinedReadings { get { return _primary.QuarantinedReadings + _ram.QuarantinedReadings; } }

        public void Mount()
        {
            _primary.Mount();
            _ram.Mount();
        }

        public void Checkpoint()
        {
            _primary.Checkpoint();
        }

        public bool Append(uint sequence, byte[] payload, int offset, int count, int readings, uint lastSampleId)
        {
            if (_ram.PendingCount == 0 && _primary.Append(sequence, payload, offset, count, readings, lastSampleId))
            {
                return true;
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
            return ordinal < inPrimary ? _primary.Read(ordinal, buffer, out sequence) : _ram.Read(ordinal - inPrimary, buffer, out sequence);
        }

        // The journal's batches are the older ones: they are released (in order) first.
        public void Release(uint sequence)
        {
            if (_primary.PendingCount > 0)
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
            if (_primary.PendingCount > 0)
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
