using CityNode.Hal;
using CityNode.Util;

namespace CityNode.Storage
{
    /// <summary>
    /// Sealed batches awaiting their PUBACK, in a <see cref="FlashLog"/>: survives power loss, deep
    /// sleep and days offline. Records:
    /// <code>
    /// BATCH   seq | readings | last sample id | sealed readings (u64) | payload
    /// RELEASE watermark (every seq below it is done) | quarantined? | readings
    /// STATE   next seq | watermark | dropped batches | dropped readings (u64) | quarantined batches |
    ///         quarantined readings (u64) | recoveries | last sample id | sealed readings (u64)
    /// </code>
    /// Batches are appended in sequence order and released oldest first (PUBACKs arrive in order),
    /// so "pending" is simply every batch at or above the watermark: no index in RAM, a few hundred
    /// bytes whatever the journal's size. Each new sector starts with a STATE record, so the
    /// counters and the next sequence number outlive the sectors that are erased. When the journal
    /// is full, the log reclaims its oldest sector: the pending batches in it are dropped — the
    /// oldest first — counted in batches and readings, and the counts are written before the
    /// sector is erased.
    /// </summary>
    public sealed partial class FlashJournal : IBatchStore, ILogOwner
    {
        public const byte TypeBatch = 0x11;
        public const byte TypeRelease = 0x12;
        public const byte TypeState = 0x13;

        private const int BatchHeader = 20;
        private const int StateSize = 52;

        private readonly FlashLog _log;
        private readonly byte[] _record;
        // Separate buffers: the log calls back (SectorStarted, Reclaim) in the middle of an Append
        // whose payload must stay untouched.
        private readonly byte[] _small = new byte[StateSize];
        // Record buffers keep FlashLog.RecordHeaderSize bytes in front for the log's header (R).
        private const int R = FlashLog.RecordHeaderSize;
        private readonly byte[] _state = new byte[R + StateSize];
        private readonly byte[] _release = new byte[R + 9];
        private readonly byte[] _scan = new byte[8];
        private readonly LogCursor _cursor = new LogCursor();
        private readonly LogCursor _first = new LogCursor();
        private readonly LogCursor _reclaim = new LogCursor();
        private bool _firstValid;
        private uint _firstSeq;
        private uint _watermark;
        private int _pending;

        private readonly uint _firstSequence;
        private readonly IFlash _hint;
        private readonly byte[] _hintBuffer;

        public FlashJournal(IFlash flash, uint firstSequence)
            : this(flash, firstSequence, null)
        {
        }

        /// <summary>
        /// With <paramref name="hint"/> (one small sector of its own), <see cref="Checkpoint"/> saves
        /// the journal's positions and counters before a deep sleep, and <see cref="Mount"/> starts from
        /// them instead of reading every sector (see docs/device-budget.md).
        /// </summary>
        public FlashJournal(IFlash flash, uint firstSequence, IFlash hint)
        {
            _log = new FlashLog(flash);
            _record = new byte[R + BatchHeader]; // the batch header; the payload is written from the caller's buffer
            _firstSequence = firstSequence;
            NextSequence = firstSequence;
            _watermark = firstSequence;
            if (hint != null && hint.SectorSize >= HintSize && hint.SectorCount >= 1)
            {
                _hint = hint;
                _hintBuffer = new byte[HintSize];
            }
        }

        /// <summary>Largest batch payload a journal with sectors of this size can hold.</summary>
        public static int MaxPayloadFor(int sectorSize)
        {
            return sectorSize - FlashLog.SectorHeaderSize - FlashLog.RecordHeaderSize - BatchHeader;
        }

        /// <summary>Boots that started from the saved positions (the rest read the whole journal).</summary>
        public bool MountedFromHint { get; private set; }

        public FlashLog Log { get { return _log; } }

        public uint NextSequence { get; private set; }

        public int PendingCount { get { return _pending; } }

        public long DroppedBatches { get; private set; }

        public long DroppedReadings { get; private set; }

        public long QuarantinedBatches { get; private set; }

        public long QuarantinedReadings { get; private set; }

        /// <summary>Boots that found something to repair (torn record, non-blank free space).</summary>
        public long Recoveries { get; private set; }

        /// <summary>Id of the last sample sealed into a batch: staged samples up to it are done.</summary>
        public uint LastSampleId { get; private set; }

        /// <summary>Readings sealed into batches since the journal was formatted.</summary>
        public long SealedReadings { get; private set; }

        /// <summary>Largest payload a batch record can hold.</summary>
        public int MaxPayload { get { return _log.MaxPayload - BatchHeader; } }

        /// <summary>Stores a sealed batch with the id of its last sample.</summary>
        public bool Append(uint sequence, byte[] payload, int offset, int count, int readings, uint lastSampleId)
        {
            if (count > MaxPayload)
            {
                return false;
            }

            long sealedAfter = SealedReadings + readings;
            LittleEndian.WriteUInt32(_record, R, sequence);
            LittleEndian.WriteUInt32(_record, R + 4, (uint)readings);
            LittleEndian.WriteUInt32(_record, R + 8, lastSampleId);
            LittleEndian.WriteInt64(_record, R + 12, sealedAfter);

            // The state moves on only once the record is written: a STATE record the log writes
            // while starting a sector for it must describe the journal without this batch. Header
            // and payload go out as two programs (no 4 KB copy of the payload: docs/device-budget.md).
            if (!_log.Append(TypeBatch, _record, R, BatchHeader, payload, offset, count))
            {
                return false;
            }

            NextSequence = sequence + 1;
            LastSampleId = lastSampleId;
            SealedReadings = sealedAfter;
            if (_pending == 0 && _log.LastRecord(_first))
            {
                // The only pending batch: it is the oldest, and the log says where it went.
                _firstSeq = sequence;
                _firstValid = true;
            }

            _pending++;
            return true;
        }

        public uint OldestSequence
        {
            get { return _pending > 0 && FindFirstPending() ? _firstSeq : 0; }
        }

        public int Read(int ordinal, byte[] buffer, out uint sequence)
        {
            sequence = 0;
            if (ordinal < 0 || ordinal >= _pending)
            {
                return -1;
            }

            LogCursor c = _cursor;
            if (!FindFirstPending())
            {
                return -1;
            }

            c.CopyFrom(_first);
            int seen = 0;
            while (true)
            {
                if (c.Type == TypeBatch && _log.Read(c, 0, _small, 0, 4))
                {
                    uint seq = LittleEndian.ReadUInt32(_small, 0);
                    if (seq >= _watermark)
                    {
                        if (seen == ordinal)
                        {
                            int length = c.Length - BatchHeader;
                            if (length > buffer.Length || !_log.Read(c, BatchHeader, buffer, 0, length))
                            {
                                return -1;
                            }

                            sequence = seq;
                            return length;
                        }

                        seen++;
                    }
                }

                if (!_log.Next(c))
                {
                    return -1;
                }
            }
        }

        public void Release(uint sequence)
        {
            Done(sequence, false);
        }

        public void Quarantine(uint sequence)
        {
            Done(sequence, true);
        }

        public void SectorStarted(FlashLog log)
        {
            WriteState();
        }

        public void Reclaim(FlashLog log, int sector)
        {
            // The journal is full: the pending batches in the oldest sector are the oldest pending
            // ones. Drop them, count them, and persist the counts before the sector is erased.
            LogCursor c = _reclaim;
            bool dropped = false;
            bool more = log.FirstInSector(sector, c);
            while (more)
            {
                if (c.Type == TypeBatch && log.Read(c, 0, _scan, 0, 8))
                {
                    uint seq = LittleEndian.ReadUInt32(_scan, 0);
                    if (seq >= _watermark)
                    {
                        DroppedBatches++;
                        DroppedReadings += LittleEndian.ReadUInt32(_scan, 4);
                        _watermark = seq + 1;
                        _pending--;
                        dropped = true;
                    }
                }

                more = log.NextInSector(c);
            }

            // The log removes this sector next, so ranks move down by one. If the oldest pending
            // batch was here, the next one starts the next sector: FindFirstPending finds it there.
            if (_firstValid && _first.Sector == sector)
            {
                _firstValid = false;
            }
            else if (_firstValid)
            {
                _first.Rank--;
            }

            if (dropped)
            {
                WriteState();
            }
        }

        private void Done(uint sequence, bool quarantined)
        {
            if (_pending == 0 || !FindFirstPending())
            {
                return;
            }

            if (_firstSeq != sequence || !_log.Read(_first, 0, _small, 0, 8))
            {
                return; // not the oldest pending batch: releases come in order
            }

            int readings = (int)LittleEndian.ReadUInt32(_small, 4);
            _watermark = sequence + 1;
            MoveFirstPast(null);
            if (quarantined)
            {
                QuarantinedBatches++;
                QuarantinedReadings += readings;
            }

            LittleEndian.WriteUInt32(_release, R, _watermark);
            _release[R + 4] = (byte)(quarantined ? 1 : 0);
            LittleEndian.WriteUInt32(_release, R + 5, (uint)readings);
            _log.Append(TypeRelease, _release, R, 9);
        }

        /// <summary>
        /// After the watermark rose: uncounts the batches below it from the oldest pending one on and
        /// moves <see cref="_first"/> to the next batch at or above it, reading only the records in
        /// between (each record is passed once over the journal's life, not once per release).
        /// Every batch from <see cref="_first"/> to the end (or to <paramref name="limit"/>, the
        /// replay position during mount) is counted in <see cref="_pending"/>: batches go in in
        /// sequence order and the watermark only rises.
        /// </summary>
        private void MoveFirstPast(LogCursor limit)
        {
            while (_firstValid && _firstSeq < _watermark)
            {
                if (_pending > 0)
                {
                    _pending--;
                }

                bool found = false;
                while (_log.Next(_first))
                {
                    if (limit != null && FlashLog.AtOrPast(_first, limit))
                    {
                        break;
                    }

                    if (_first.Type == TypeBatch && _log.Read(_first, 0, _scan, 0, 4))
                    {
                        _firstSeq = LittleEndian.ReadUInt32(_scan, 0);
                        found = true;
                        break;
                    }
                }

                _firstValid = found;
            }
        }

        /// <summary>
        /// Positions <see cref="_first"/> on the oldest pending batch. It is kept across appends and
        /// releases; only a reclaim of its sector loses it, and then the oldest pending batch is
        /// near the start of the log.
        /// </summary>
        private bool FindFirstPending()
        {
            if (_firstValid)
            {
                return true;
            }

            if (_pending == 0)
            {
                return false;
            }

            LogCursor c = _first;
            bool more = _log.First(c);
            while (more)
            {
                if (c.Type == TypeBatch && _log.Read(c, 0, _scan, 0, 4))
                {
                    uint seq = LittleEndian.ReadUInt32(_scan, 0);
                    if (seq >= _watermark)
                    {
                        _firstSeq = seq;
                        _firstValid = true;
                        return true;
                    }
                }

                more = _log.Next(c);
            }

            return false;
        }

        private void WriteState()
        {
            WriteStateTo(_state, R);
            _log.Append(TypeState, _state, R, StateSize);
        }

        private void WriteStateTo(byte[] b, int at)
        {
            LittleEndian.WriteUInt32(b, at, NextSequence);
            LittleEndian.WriteUInt32(b, at + 4, _watermark);
            LittleEndian.WriteUInt32(b, at + 8, (uint)DroppedBatches);
            LittleEndian.WriteInt64(b, at + 12, DroppedReadings);
            LittleEndian.WriteUInt32(b, at + 20, (uint)QuarantinedBatches);
            LittleEndian.WriteInt64(b, at + 24, QuarantinedReadings);
            LittleEndian.WriteUInt32(b, at + 32, (uint)Recoveries);
            LittleEndian.WriteUInt32(b, at + 36, LastSampleId);
            LittleEndian.WriteInt64(b, at + 40, SealedReadings);
            LittleEndian.WriteUInt32(b, at + 48, 0);
        }

        private void ReadStateFrom(byte[] b, int at)
        {
            NextSequence = LittleEndian.ReadUInt32(b, at);
            _watermark = LittleEndian.ReadUInt32(b, at + 4);
            DroppedBatches = LittleEndian.ReadUInt32(b, at + 8);
            DroppedReadings = LittleEndian.ReadInt64(b, at + 12);
            QuarantinedBatches = LittleEndian.ReadUInt32(b, at + 20);
            QuarantinedReadings = LittleEndian.ReadInt64(b, at + 24);
            Recoveries = LittleEndian.ReadUInt32(b, at + 32);
            LastSampleId = LittleEndian.ReadUInt32(b, at + 36);
            SealedReadings = LittleEndian.ReadInt64(b, at + 40);
        }

        private static uint Max(uint a, uint b)
        {
            return a > b ? a : b;
        }
    }
}
