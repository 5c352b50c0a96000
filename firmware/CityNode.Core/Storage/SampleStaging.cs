using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;
using CityNode.Util;

namespace CityNode.Storage
{
    /// <summary>
    /// The samples not yet sealed into a batch, written to flash as they are taken so that the RAM
    /// ring survives deep sleep (a reset on the ESP32) and power loss, plus the runtime's schedule.
    /// A small <see cref="FlashLog"/> of its own, apart from the journal, so that the short-lived
    /// sample records do not take journal space:
    /// <code>
    /// SAMPLE  id | time | channel count | values (i32 each) | statuses (2 bits each)
    /// RUNTIME the node runtime's schedule and backoff (opaque, latest wins)
    /// </code>
    /// Samples with an id at or below the journal's last sealed id are done and are simply left
    /// behind. When the log reclaims its oldest sector, the samples in it that are still unsealed,
    /// and the latest runtime record, are copied forward (compaction); a power cut between the copy
    /// and the erase leaves two copies, which <see cref="Mount"/> folds into one by id.
    /// </summary>
    public sealed class SampleStaging : ILogOwner
    {
        public const byte TypeSample = 0x21;
        public const byte TypeRuntime = 0x22;
        public const int MaxRuntimeBytes = 200; // the runtime record (RuntimeRecord.MaxSize: 196 B; 124 B without early thresholds)

        private readonly FlashLog _log;
        private readonly int _channels;
        private readonly byte[] _record;
        private readonly byte[] _move;
        private readonly LogCursor _cursor = new LogCursor();
        private readonly LogCursor _reclaim = new LogCursor();
        // The restored samples by id: where each record is in the log (sector << 16 | offset), read
        // again by Restored right after Mount — 8 B a sample instead of a copy of every value
        // (docs/device-budget.md). Nothing is appended between Mount and the Restored calls.
        private readonly uint[] _ids;
        private readonly int[] _positions;
        private const int R = FlashLog.RecordHeaderSize;
        private readonly byte[] _runtime = new byte[R + MaxRuntimeBytes];
        private int _runtimeLength;
        private int _restored;

        public SampleStaging(IFlash flash, int channels, int restoreCapacity)
        {
            _log = new FlashLog(flash);
            _channels = channels;
            // Record buffers keep R bytes in front for the log's record header (FlashLog.Append).
            _record = new byte[R + RecordSize(channels)];
            _move = new byte[_record.Length];
            _ids = new uint[restoreCapacity];
            _positions = new int[restoreCapacity];
        }

        public FlashLog Log { get { return _log; } }

        /// <summary>Samples up to this id are in the journal; set after each seal.</summary>
        public uint SealedId { get; set; }

        /// <summary>Highest sample id found or written.</summary>
        public uint MaxId { get; private set; }

        /// <summary>Unsealed samples found at mount, in id order.</summary>
        public int RestoredCount { get { return _restored; } }

        /// <summary>Unsealed samples found at mount that did not fit the restore buffer (counted, oldest first).</summary>
        public long RestoreDropped { get; private set; }

        public static int RecordSize(int channels)
        {
            return 9 + (channels * 4) + ((channels + 3) / 4);
        }

        /// <summary>Finds the log and collects the unsealed samples and the latest runtime record.</summary>
        public void Mount(uint sealedId)
        {
            SealedId = sealedId;
            _restored = 0;
            _runtimeLength = 0;
            _log.Mount(this);
            LogCursor c = _cursor;
            bool more = _log.First(c);
            while (more)
            {
                if (c.Type == TypeSample && c.Length >= 9 && c.Length <= _record.Length - R && _log.Read(c, 0, _record, R, c.Length))
                {
                    uint id = LittleEndian.ReadUInt32(_record, R);
                    if (id > MaxId)
                    {
                        MaxId = id;
                    }

                    if (id > sealedId && _record[R + 8] == _channels)
                    {
                        Restore(id, (c.Sector << 16) | c.Offset);
                    }
                    else if (id > sealedId)
                    {
                        RestoreDropped++; // taken with another channel layout, before a configuration change
                    }
                }
                else if (c.Type == TypeRuntime && c.Length <= MaxRuntimeBytes && _log.Read(c, 0, _runtime, R, c.Length))
                {
                    _runtimeLength = c.Length;
                }

                more = _log.Next(c);
            }
        }

        /// <summary>
        /// Copies the i-th restored sample (oldest first) into a frame; returns its id. Reads the record
        /// again from the log (call right after <see cref="Mount"/>, before any append): a record that
        /// no longer reads comes back with every channel missing.
        /// </summary>
        public uint Restored(int i, SampleFrame into)
        {
            LogCursor c = _cursor;
            c.Sector = _positions[i] >> 16;
            c.Offset = _positions[i] & 0xFFFF;
            c.Type = TypeSample;
            c.Length = _record.Length - R;
            bool ok = _log.Read(c, 0, _record, R, c.Length) && LittleEndian.ReadUInt32(_record, R) == _ids[i];
            into.ChannelCount = _channels;
            into.Time = ok ? LittleEndian.ReadUInt32(_record, R + 4) : 0;
            int at = R + 9;
            for (int ch = 0; ch < _channels; ch++)
            {
                into.Values[ch] = ok ? (int)LittleEndian.ReadUInt32(_record, at) : 0;
                into.Status[ch] = ok ? (byte)((_record[R + 9 + (_channels * 4) + (ch / 4)] >> (2 * (ch % 4))) & 3) : ReadingStatus.Missing;
                at += 4;
            }

            return _ids[i];
        }

        /// <summary>The latest runtime record, or 0 bytes.</summary>
        public int ReadRuntime(byte[] into)
        {
            for (int i = 0; i < _runtimeLength; i++)
            {
                into[i] = _runtime[R + i];
            }

            return _runtimeLength;
        }

        /// <summary>Writes a sample; false when the flash cannot take it (the sample stays in RAM only).</summary>
        public bool Append(uint id, SampleFrame frame)
        {
            LittleEndian.WriteUInt32(_record, R, id);
            LittleEndian.WriteUInt32(_record, R + 4, (uint)frame.Time);
            _record[R + 8] = (byte)_channels;
            int at = R + 9;
            for (int c = 0; c < _channels; c++)
            {
                LittleEndian.WriteUInt32(_record, at, (uint)frame.Values[c]);
                at += 4;
            }

            for (int c = 0; c < _channels; c += 4)
            {
                int packed = 0;
                for (int k = 0; k < 4 && c + k < _channels; k++)
                {
                    packed |= (frame.Status[c + k] & 3) << (2 * k);
                }

                _record[at++] = (byte)packed;
            }

            if (id > MaxId)
            {
                MaxId = id;
            }

            return _log.Append(TypeSample, _record, R, _record.Length - R);
        }

        /// <summary>Writes the runtime's schedule (before deep sleep, after a publish).</summary>
        public bool SaveRuntime(byte[] blob, int length)
        {
            if (length > MaxRuntimeBytes)
            {
                return false;
            }

            for (int i = 0; i < length; i++)
            {
                _runtime[R + i] = blob[i];
            }

            _runtimeLength = length;
            return _log.Append(TypeRuntime, _runtime, R, length);
        }

        public void SectorStarted(FlashLog log)
        {
        }

        public void Reclaim(FlashLog log, int sector)
        {
            LogCursor c = _reclaim;
            bool runtimeHere = false;
            bool more = log.FirstInSector(sector, c);
            while (more)
            {
                // Its own buffer: this runs inside an Append whose payload is _record.
                if (c.Type == TypeSample && c.Length == _move.Length - R && log.Read(c, 0, _move, R, _move.Length - R))
                {
                    if (LittleEndian.ReadUInt32(_move, R) > SealedId)
                    {
                        log.Append(TypeSample, _move, R, _move.Length - R);
                    }
                }
                else if (c.Type == TypeRuntime)
                {
                    runtimeHere = true;
                }

                more = log.NextInSector(c);
            }

            if (runtimeHere && _runtimeLength > 0)
            {
                log.Append(TypeRuntime, _runtime, R, _runtimeLength);
            }
        }

        /// <summary>Inserts a sample into the restore buffer in id order, once.</summary>
        private void Restore(uint id, int position)
        {
            int pos = _restored;
            while (pos > 0 && _ids[pos - 1] > id)
            {
                pos--;
            }

            if (pos > 0 && _ids[pos - 1] == id)
            {
                return; // the copy made by a compaction that was cut short
            }

            if (_restored == _ids.Length)
            {
                if (pos == 0)
                {
                    RestoreDropped++;
                    return;
                }

                // Full: drop the oldest to keep the newest.
                Shift(0, 1, _restored - 1);
                _restored--;
                pos--;
                RestoreDropped++;
            }

            Shift(pos + 1, pos, _restored - pos);
            _ids[pos] = id;
            _positions[pos] = position;
            _restored++;
        }

        /// <summary>Moves <paramref name="count"/> entries from index <paramref name="from"/> to <paramref name="to"/> (overlap-safe).</summary>
        private void Shift(int to, int from, int count)
        {
            if (count <= 0)
            {
                return;
            }

            if (to > from)
            {
                for (int i = count - 1; i >= 0; i--)
                {
                    Move(from + i, to + i);
                }
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    Move(from + i, to + i);
                }
            }
        }

        private void Move(int from, int to)
        {
            _ids[to] = _ids[from];
            _positions[to] = _positions[from];
        }
    }
}
