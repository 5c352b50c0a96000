using CityNode.Hal;
using CityNode.Util;

namespace CityNode.Storage
{
    /// <summary>
    /// The journal's mount hint: its positions and counters saved to a small sector before a deep
    /// sleep, so the next boot replays only what was appended after instead of reading the whole
    /// journal (1 MB would be ~70,000 file loads at boot). Kept apart from the records because it
    /// is an optimisation: a hint that does not match the flash is ignored and the full mount runs.
    /// </summary>
    public sealed partial class FlashJournal
    {
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
