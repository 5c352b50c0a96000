using CityNode.Hal;
using CityNode.Util;

namespace CityNode.Storage
{
    /// <summary>
    /// How the journal's RAM state (counters, watermark, pending count, oldest pending batch) is
    /// rebuilt at boot: from the mount hint saved before a deep sleep, replaying only what was
    /// appended after it, or, when the hint does not match the flash, by replaying the whole log
    /// (1 MB would be ~70,000 file loads at boot, hence the hint).
    /// </summary>
    public sealed partial class FlashJournal
    {
        /// <summary>
        /// Finds the log and replays it in one pass, counting a recovery if anything needed repair.
        /// The oldest pending batch is tracked during the same pass (see <see cref="MoveFirstPast"/>),
        /// so nothing is read twice.
        /// </summary>
        public void Mount()
        {
            MountedFromHint = MountFromHint();
            if (!MountedFromHint)
            {
                Reset();
                _log.Mount(this);
                LogCursor c = _cursor;
                bool more = _log.First(c);
                while (more)
                {
                    Replay(c);
                    more = _log.Next(c);
                }
            }

            if (_log.Repairs > 0)
            {
                Recoveries++;
                WriteState();
            }
        }

        private void Replay(LogCursor c)
        {
            if (c.Type == TypeState && c.Length >= StateSize && _log.Read(c, 0, _small, 0, StateSize))
            {
                NextSequence = Max(NextSequence, LittleEndian.ReadUInt32(_small, 0));
                _watermark = Max(_watermark, LittleEndian.ReadUInt32(_small, 4));
                MoveFirstPast(c);
                DroppedBatches = LittleEndian.ReadUInt32(_small, 8);
                DroppedReadings = LittleEndian.ReadInt64(_small, 12);
                QuarantinedBatches = LittleEndian.ReadUInt32(_small, 20);
                QuarantinedReadings = LittleEndian.ReadInt64(_small, 24);
                Recoveries = LittleEndian.ReadUInt32(_small, 32);
                LastSampleId = Max(LastSampleId, LittleEndian.ReadUInt32(_small, 36));
                SealedReadings = LittleEndian.ReadInt64(_small, 40) > SealedReadings ? LittleEndian.ReadInt64(_small, 40) : SealedReadings;
            }
            else if (c.Type == TypeBatch && c.Length >= BatchHeader && _log.Read(c, 0, _small, 0, BatchHeader))
            {
                uint seq = LittleEndian.ReadUInt32(_small, 0);
                NextSequence = Max(NextSequence, seq + 1);
                LastSampleId = Max(LastSampleId, LittleEndian.ReadUInt32(_small, 8));
                if (seq >= _watermark)
                {
                    if (!_firstValid)
                    {
                        _first.CopyFrom(c);
                        _firstSeq = seq;
                        _firstValid = true;
                    }

                    _pending++;
                }

                long sealedAfter = LittleEndian.ReadInt64(_small, 12);
                if (sealedAfter > SealedReadings)
                {
                    SealedReadings = sealedAfter;
                }
            }
            else if (c.Type == TypeRelease && c.Length >= 9 && _log.Read(c, 0, _small, 0, 9))
            {
                uint w = LittleEndian.ReadUInt32(_small, 0);
                if (w > _watermark)
                {
                    _watermark = w;
                    if (_small[4] != 0)
                    {
                        QuarantinedBatches++;
                        QuarantinedReadings += LittleEndian.ReadUInt32(_small, 5);
                    }

                    MoveFirstPast(c);
                }
            }
        }

        /// <summary>The state a fresh journal object has before its first mount.</summary>
        private void Reset()
        {
            NextSequence = _firstSequence;
            _watermark = _firstSequence;
            DroppedBatches = 0;
            DroppedReadings = 0;
            QuarantinedBatches = 0;
            QuarantinedReadings = 0;
            Recoveries = 0;
            LastSampleId = 0;
            SealedReadings = 0;
            _pending = 0;
            _firstValid = false;
        }

        // Mount hint: magic | log head sector (u16) | head generation | head offset (u16) | tail
        // sector (u16) | max erases | STATE (52 B) | pending | first valid (u8) | first sector (u16) |
        // first offset (u16) | first type (u8) | first length (u16) | first seq | CRC-32C.
        private const uint HintMagic = 0x31484E43; // "CNH1"
        private const int HintState = 18;
        private const int HintSize = HintState + StateSize + 4 + 1 + 2 + 2 + 1 + 2 + 4 + 4;

        /// <summary>
        /// Saves the journal's positions and counters (before a deep sleep): the next <see cref="Mount"/>
        /// starts from them, replays only what was appended after, and falls back to reading the whole
        /// journal if they do not match the flash (the log moved on to another sector, a torn save).
        /// Costs an erase and a program of the small hint sector.
        /// </summary>
        public void Checkpoint()
        {
            if (_hint == null || _log.UsedSectors == 0 || _log.HeadOffset > _log.SectorSize)
            {
                return;
            }

            byte[] b = _hintBuffer;
            LittleEndian.WriteUInt32(b, 0, HintMagic);
            LittleEndian.WriteUInt16(b, 4, _log.HeadSector);
            LittleEndian.WriteUInt32(b, 6, _log.HeadGeneration);
            LittleEndian.WriteUInt16(b, 10, _log.HeadOffset);
            LittleEndian.WriteUInt16(b, 12, _log.TailSector);
            LittleEndian.WriteUInt32(b, 14, _log.MaxErases);
            WriteStateTo(b, HintState);
            int at = HintState + StateSize;
            LittleEndian.WriteUInt32(b, at, (uint)_pending);
            bool first = _firstValid && _pending > 0;
            b[at + 4] = (byte)(first ? 1 : 0);
            LittleEndian.WriteUInt16(b, at + 5, first ? _first.Sector : 0);
            LittleEndian.WriteUInt16(b, at + 7, first ? _first.Offset : 0);
            b[at + 9] = first ? _first.Type : (byte)0;
            LittleEndian.WriteUInt16(b, at + 10, first ? _first.Length : 0);
            LittleEndian.WriteUInt32(b, at + 12, first ? _firstSeq : 0);
            LittleEndian.WriteUInt32(b, at + 16, Crc32C.Compute(b, 0, at + 16));
            if (_hint.Erase(0) == FlashStatus.Ok)
            {
                _hint.Program(0, b, 0, HintSize);
            }
        }

        private bool MountFromHint()
        {
            if (_hint == null)
            {
                return false;
            }

            byte[] b = _hintBuffer;
            int at = HintState + StateSize;
            if (_hint.Read(0, b, 0, HintSize) != FlashStatus.Ok || LittleEndian.ReadUInt32(b, 0) != HintMagic
                || LittleEndian.ReadUInt32(b, at + 16) != Crc32C.Compute(b, 0, at + 16))
            {
                return false;
            }

            int head = LittleEndian.ReadUInt16(b, 4);
            int offset = LittleEndian.ReadUInt16(b, 10);
            if (!_log.MountHinted(this, head, LittleEndian.ReadUInt32(b, 6), offset, LittleEndian.ReadUInt16(b, 12), LittleEndian.ReadUInt32(b, 14)))
            {
                return false;
            }

            Reset();
            ReadStateFrom(b, HintState);
            _pending = (int)LittleEndian.ReadUInt32(b, at);
            if (b[at + 4] != 0)
            {
                _first.Sector = LittleEndian.ReadUInt16(b, at + 5);
                _first.Rank = _log.RankOf(_first.Sector);
                _first.Offset = LittleEndian.ReadUInt16(b, at + 7);
                _first.Type = b[at + 9];
                _first.Length = LittleEndian.ReadUInt16(b, at + 10);
                _firstSeq = LittleEndian.ReadUInt32(b, at + 12);
                _firstValid = _first.Rank >= 0;
            }

            // What was appended after the save (a power cut before the next one): replayed as a full mount would.
            LogCursor c = _cursor;
            bool more = _log.At(c, _log.UsedSectors - 1, offset);
            while (more)
            {
                Replay(c);
                more = _log.Next(c);
            }

            _log.FinishHinted();
            return true;
        }
    }
}
