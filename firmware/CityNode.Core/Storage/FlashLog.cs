using CityNode.Hal;
using CityNode.Util;

namespace CityNode.Storage
{
    /// <summary>
    /// An append-only log of CRC-checked records on a region of NOR flash, used round-robin so every
    /// sector wears alike (each sector is erased once per trip round the region).
    ///
    /// <code>
    /// sector header (16 B): magic "CNJ1" | generation (u32, order of sectors in the log) | erase count (u32) | CRC-32C
    /// record (7 B + payload): type | length (u16) | CRC-32C of type, length and payload | payload
    /// </code>
    /// Writes are a single <see cref="IFlash.Program"/> per record, verified by the flash layer.
    /// After a power cut at any point: a torn sector header fails its CRC and the sector counts as
    /// free; a torn record fails its CRC and closes its sector (appends continue in the next one);
    /// a half-erased sector has no valid header. <see cref="Mount"/> rebuilds the order of sectors
    /// from their generations and finds the end of the head sector, checking that the space after
    /// the last record is really blank. One sector is always kept free: when the head takes the last
    /// free one, the oldest sector is reclaimed at once (its owner moves or drops what it still
    /// needs, then it is erased), so there is always room to move records to. A sector whose erase
    /// or header write fails verification is retired for this boot (bad block or worn out); the log
    /// shrinks but keeps working, and reports failure only when no usable sector is left.
    /// On littlefs (the ESP32's I: drive) the same code runs on files; see docs/reliability.md.
    /// </summary>
    public sealed class FlashLog
    {
        public const uint Magic = 0x314A4E43; // "CNJ1"
        public const int SectorHeaderSize = 16;
        public const int RecordHeaderSize = 7;
        public const byte FreeByte = 0xFF;

        private readonly IFlash _flash;
        private readonly int _sectors;
        private readonly int _sectorSize;
        private readonly uint[] _generation; // 0 = not in the log
        private readonly uint[] _erases;
        private readonly bool[] _bad;
        private readonly bool[] _blankKnown;  // erased this boot and not written since
        private readonly int[] _order;       // sectors in the log, oldest first
        private readonly byte[] _header = new byte[SectorHeaderSize];
        private readonly bool[] _erasesKnown; // false after a hinted mount until the sector's header is read
        private readonly byte[] _blank = new byte[64]; // chunk for CRC checks and blank checks (no sector-sized buffer)
        private int _count;                  // sectors in the log
        private int _headOffset;
        private int _lastOffset = -1;        // offset of the last record appended this boot in the head, -1 = none
        private byte _lastType;
        private int _lastLength;
        private uint _nextGeneration;
        private bool _reclaiming;
        private ILogOwner _owner;

        public FlashLog(IFlash flash)
        {
            _flash = flash;
            _sectors = flash.SectorCount;
            _sectorSize = flash.SectorSize;
            _generation = new uint[_sectors];
            _erases = new uint[_sectors];
            _bad = new bool[_sectors];
            _blankKnown = new bool[_sectors];
            _order = new int[_sectors];
            _erasesKnown = new bool[_sectors];
        }

        /// <summary>Largest payload one record can hold.</summary>
        public int MaxPayload { get { return _sectorSize - SectorHeaderSize - RecordHeaderSize; } }

        public int SectorCount { get { return _sectors; } }

        public int SectorSize { get { return _sectorSize; } }

        /// <summary>Sectors currently holding records (including the head).</summary>
        public int UsedSectors { get { return _count; } }

        /// <summary>Sectors retired this boot because an erase or write failed verification.</summary>
        public int BadSectors
        {
            get
            {
                int n = 0;
                for (int i = 0; i < _sectors; i++)
                {
                    if (_bad[i])
                    {
                        n++;
                    }
                }

                return n;
            }
        }

        /// <summary>Problems <see cref="Mount"/> found and worked around (torn records, non-blank free space).</summary>
        public int Repairs { get; private set; }

        /// <summary>Erases done since mount plus the counts found in sector headers.</summary>
        public uint EraseCount(int sector)
        {
            KnowErases(sector);
            return _erases[sector];
        }

        /// <summary>Sector of the head (newest), or -1 when the log is empty.</summary>
        public int HeadSector { get { return _count == 0 ? -1 : _order[_count - 1]; } }

        /// <summary>Sector of the tail (oldest), or -1 when the log is empty.</summary>
        public int TailSector { get { return _count == 0 ? -1 : _order[0]; } }

        /// <summary>Where the next record goes in the head sector.</summary>
        public int HeadOffset { get { return _headOffset; } }

        /// <summary>Highest erase count known (headers read, erases done).</summary>
        public uint MaxErases
        {
            get
            {
                uint max = 0;
                for (int s = 0; s < _sectors; s++)
                {
                    if (_erasesKnown[s] && _erases[s] > max)
                    {
                        max = _erases[s];
                    }
                }

                return max;
            }
        }

        /// <summary>Generation of the newest sector (grows by one per sector started).</summary>
        public uint HeadGeneration { get { return _nextGeneration - 1; } }

        /// <summary>Scans the region and finds where the log is; formats it if nothing valid is found.</summary>
        public void Mount(ILogOwner owner)
        {
            _owner = owner;
            Repairs = 0;
            _count = 0;
            _lastOffset = -1;
            uint maxGen = 0;
            for (int s = 0; s < _sectors; s++)
            {
                _generation[s] = 0;
                _bad[s] = false;
                _blankKnown[s] = false;
                _erasesKnown[s] = true;
                if (ReadHeader(s))
                {
                    _generation[s] = LittleEndian.ReadUInt32(_header, 4);
                    _erases[s] = LittleEndian.ReadUInt32(_header, 8);
                    if (_generation[s] > maxGen)
                    {
                        maxGen = _generation[s];
                    }
                }
            }

            // Order the sectors by generation (insertion sort: at most a few hundred sectors, once per boot).
            for (int s = 0; s < _sectors; s++)
            {
                if (_generation[s] == 0)
                {
                    continue;
                }

                int i = _count++;
                while (i > 0 && _generation[_order[i - 1]] > _generation[s])
                {
                    _order[i] = _order[i - 1];
                    i--;
                }

                _order[i] = s;
            }

            // A sector without a valid header lost its erase count (torn erase, never formatted):
            // assume it is as worn as the most worn one, so statistics never understate wear.
            uint maxErases = 0;
            for (int s = 0; s < _sectors; s++)
            {
                if (_generation[s] != 0 && _erases[s] > maxErases)
                {
                    maxErases = _erases[s];
                }
            }

            for (int s = 0; s < _sectors; s++)
            {
                if (_generation[s] == 0 && _erases[s] < maxErases)
                {
                    _erases[s] = maxErases;
                }
            }

            _nextGeneration = maxGen + 1;
            if (_count == 0)
            {
                _headOffset = _sectorSize; // nothing yet: the first append starts a sector
                return;
            }

            _headOffset = FindEnd(_order[_count - 1], SectorHeaderSize);
        }

        /// <summary>
        /// Mounts from positions saved earlier (<see cref="HeadSector"/>, <see cref="HeadGeneration"/>,
        /// <see cref="HeadOffset"/>, <see cref="TailSector"/>, <see cref="MaxErases"/>) without reading
        /// every sector: the log is the run of sectors from the tail to the head in ring order (sectors
        /// are started in ring order; one that lost its header in between reads as empty). Valid only
        /// if the head still carries that generation and no sector outside the run carries a newer
        /// one (the log moved on after the positions were saved): false then, and nothing is changed
        /// that <see cref="Mount"/> does not redo. Reads the head's header and the headers of the
        /// sectors outside the run. Records after <paramref name="headOffset"/> are the owner's to
        /// replay (<see cref="At"/>); <see cref="FinishHinted"/> then finds the end of the head.
        /// </summary>
        public bool MountHinted(ILogOwner owner, int head, uint headGeneration, int headOffset, int tail, uint maxErases)
        {
            if (head < 0 || head >= _sectors || tail < 0 || tail >= _sectors || headGeneration == 0
                || headOffset < SectorHeaderSize || headOffset > _sectorSize)
            {
                return false;
            }

            int count = ((head - tail + _sectors) % _sectors) + 1;
            if (count >= _sectors || headGeneration < (uint)count
                || !ReadHeader(head) || LittleEndian.ReadUInt32(_header, 4) != headGeneration)
            {
                return false;
            }

            uint headErases = LittleEndian.ReadUInt32(_header, 8);

            // Outside the run: free sectors (erased, never written, torn) or older ones; a newer
            // generation means sectors were started after the positions were saved.
            for (int s = (head + 1) % _sectors; s != tail; s = (s + 1) % _sectors)
            {
                if (ReadHeader(s) && LittleEndian.ReadUInt32(_header, 4) > headGeneration)
                {
                    return false;
                }
            }

            _owner = owner;
            Repairs = 0;
            _lastOffset = -1;
            _count = count;
            for (int s = 0; s < _sectors; s++)
            {
                _generation[s] = 0;
                _bad[s] = false;
                _blankKnown[s] = false;
                _erasesKnown[s] = false;
                _erases[s] = maxErases;
            }

            for (int i = 0; i < count; i++)
            {
                int s = (tail + i) % _sectors;
                _order[i] = s;
                _generation[s] = headGeneration - (uint)(count - 1 - i);
            }

            _erases[head] = headErases;
            _erasesKnown[head] = true;
            _nextGeneration = headGeneration + 1;
            _headOffset = headOffset;
            return true;
        }

        /// <summary>After <see cref="MountHinted"/> and the owner's replay: where appends continue in the head.</summary>
        public void FinishHinted()
        {
            _headOffset = FindEnd(_order[_count - 1], _headOffset);
        }

        /// <summary>Moves to the first record at or after <paramref name="offset"/> in the sector of rank <paramref name="rank"/>, or on; false at the end of the log.</summary>
        public bool At(LogCursor c, int rank, int offset)
        {
            c.Rank = rank;
            c.Offset = offset;
            c.Type = 0;
            c.Length = 0;
            if (rank < 0 || rank >= _count)
            {
                return false;
            }

            c.Sector = _order[rank];
            return Load(c) || Next(c);
        }

        /// <summary>
        /// Appends a record whose payload is <paramref name="buffer"/>[offset, offset + length); the
        /// <see cref="RecordHeaderSize"/> bytes before it are the caller's room for the record header,
        /// written in place so the record goes out as one program without a sector-sized copy.
        /// False when no usable sector is left (the store degrades, the node keeps running). The
        /// owner's callbacks may run inside this call (a sector is started or reclaimed): they must
        /// not touch <paramref name="buffer"/>.
        /// </summary>
        public bool Append(byte type, byte[] buffer, int offset, int length)
        {
            return Append(type, buffer, offset, length, buffer, offset + length, 0); // one program: no body
        }

        /// <summary>
        /// As <see cref="Append(byte, byte[], int, int)"/>, for a record whose payload is
        /// <paramref name="head"/>[headOffset, +headLength) followed by <paramref name="body"/>[bodyOffset,
        /// +bodyLength), so that a caller needs no record-sized buffer to put its own header in front of
        /// a large payload: the record goes out as two programs (head with the record header, then
        /// body). A power cut between them leaves a record whose CRC fails, which mount treats as any
        /// torn write (the sector is closed there). The owner's callbacks must not touch either buffer.
        /// </summary>
        public bool Append(byte type, byte[] head, int headOffset, int headLength, byte[] body, int bodyOffset, int bodyLength)
        {
            int length = headLength + bodyLength;
            int total = RecordHeaderSize + length;
            if (headLength < 0 || bodyLength < 0 || length > MaxPayload || type == FreeByte || headOffset < RecordHeaderSize)
            {
                return false;
            }

            int at = headOffset - RecordHeaderSize;
            for (int attempt = 0; attempt <= _sectors; attempt++)
            {
                if (_count == 0 || _headOffset + total > _sectorSize)
                {
                    if (!Advance())
                    {
                        return false;
                    }

                    continue;
                }

                head[at] = type;
                LittleEndian.WriteUInt16(head, at + 1, length);
                uint crc = Crc32C.Update(Crc32C.Start, head, at, 3);
                crc = Crc32C.Update(crc, head, headOffset, headLength);
                crc = Crc32C.Finish(Crc32C.Update(crc, body, bodyOffset, bodyLength));
                LittleEndian.WriteUInt32(head, at + 3, crc);
                int address = (_order[_count - 1] * _sectorSize) + _headOffset;
                if (_flash.Program(address, head, at, RecordHeaderSize + headLength) == FlashStatus.Ok
                    && (bodyLength == 0 || _flash.Program(address + RecordHeaderSize + headLength, body, bodyOffset, bodyLength) == FlashStatus.Ok))
                {
                    _lastOffset = _headOffset;
                    _lastType = type;
                    _lastLength = length;
                    _headOffset += total;
                    return true;
                }

                // The cells did not take it: close this sector and try the next.
                _headOffset = _sectorSize;
            }

            return false;
        }

        /// <summary>Moves to the record the last successful <see cref="Append"/> wrote (no flash read); false if there is none.</summary>
        public bool LastRecord(LogCursor c)
        {
            if (_lastOffset < 0 || _count == 0)
            {
                return false;
            }

            c.Rank = _count - 1;
            c.Sector = _order[_count - 1];
            c.Offset = _lastOffset;
            c.Type = _lastType;
            c.Length = _lastLength;
            return true;
        }

        /// <summary>True when <paramref name="a"/> is at or past <paramref name="b"/> in log order.</summary>
        public static bool AtOrPast(LogCursor a, LogCursor b)
        {
            return a.Rank > b.Rank || (a.Rank == b.Rank && a.Offset >= b.Offset);
        }

        /// <summary>Moves to the oldest record; false when the log is empty.</summary>
        public bool First(LogCursor c)
        {
            c.Rank = 0;
            c.Offset = SectorHeaderSize - 1;
            c.Length = 0;
            c.Type = 0;
            if (_count == 0)
            {
                return false;
            }

            c.Sector = _order[0];
            c.Offset = SectorHeaderSize;
            return Load(c) || Next(c);
        }

        /// <summary>Moves to the next record in log order; false at the end.</summary>
        public bool Next(LogCursor c)
        {
            while (c.Rank < _count)
            {
                c.Sector = _order[c.Rank];
                if (c.Type != 0)
                {
                    c.Offset += RecordHeaderSize + c.Length;
                    c.Type = 0;
                }

                if (Load(c))
                {
                    return true;
                }

                // End of this sector's records: on to the next sector.
                c.Rank++;
                c.Offset = SectorHeaderSize;
                c.Type = 0;
                c.Length = 0;
            }

            return false;
        }

        /// <summary>Moves to the first record of a sector (for <see cref="ILogOwner.Reclaim"/>); false if it has none.</summary>
        public bool FirstInSector(int sector, LogCursor c)
        {
            c.Rank = RankOf(sector);
            c.Sector = sector;
            c.Offset = SectorHeaderSize;
            c.Type = 0;
            c.Length = 0;
            return c.Rank >= 0 && Load(c);
        }

        /// <summary>Next record in the same sector; false at its end.</summary>
        public bool NextInSector(LogCursor c)
        {
            c.Offset += RecordHeaderSize + c.Length;
            c.Type = 0;
            return Load(c);
        }

        /// <summary>Reads part of a record's payload.</summary>
        public bool Read(LogCursor c, int payloadOffset, byte[] buffer, int offset, int count)
        {
            if (payloadOffset + count > c.Length)
            {
                return false;
            }

            return _flash.Read((c.Sector * _sectorSize) + c.Offset + RecordHeaderSize + payloadOffset, buffer, offset, count) == FlashStatus.Ok;
        }

        /// <summary>Rank (0 = oldest) of a sector in the log, or -1.</summary>
        public int RankOf(int sector)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_order[i] == sector)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>
        /// Loads the record at c.Offset if one is there and its CRC holds. Anything else (free
        /// space, a torn record, the end of the sector) ends the sector's records.
        /// </summary>
        private bool Load(LogCursor c)
        {
            if (c.Offset + RecordHeaderSize > _sectorSize)
            {
                return false;
            }

            byte[] b = _blank;
            int at = (c.Sector * _sectorSize) + c.Offset;
            if (_flash.Read(at, b, 0, RecordHeaderSize) != FlashStatus.Ok || b[0] == FreeByte)
            {
                return false;
            }

            int length = LittleEndian.ReadUInt16(b, 1);
            if (c.Offset + RecordHeaderSize + length > _sectorSize)
            {
                return false;
            }

            uint stored = LittleEndian.ReadUInt32(b, 3);
            byte type = b[0];
            uint crc = Crc32C.Update(Crc32C.Start, b, 0, 3);

            // The payload is checked in chunks: no sector-sized buffer in RAM.
            at += RecordHeaderSize;
            for (int done = 0; done < length; done += b.Length)
            {
                int n = length - done < b.Length ? length - done : b.Length;
                if (_flash.Read(at + done, b, 0, n) != FlashStatus.Ok)
                {
                    return false;
                }

                crc = Crc32C.Update(crc, b, 0, n);
            }

            if (Crc32C.Finish(crc) != stored)
            {
                return false;
            }

            c.Type = type;
            c.Length = length;
            return true;
        }

        /// <summary>Where appends continue in the head sector: after the last good record, if the rest is blank.</summary>
        private int FindEnd(int sector, int from)
        {
            var c = new LogCursor();
            c.Rank = _count - 1;
            c.Sector = sector;
            c.Offset = from;
            while (Load(c))
            {
                c.Offset += RecordHeaderSize + c.Length;
                c.Type = 0;
            }

            // Past the last good record everything must still be erased; a torn write leaves
            // programmed bits behind, and appending over them would fail, so close the sector.
            for (int at = c.Offset; at < _sectorSize; at += _blank.Length)
            {
                int n = _sectorSize - at < _blank.Length ? _sectorSize - at : _blank.Length;
                if (_flash.Read((sector * _sectorSize) + at, _blank, 0, n) != FlashStatus.Ok)
                {
                    Repairs++;
                    return _sectorSize;
                }

                for (int i = 0; i < n; i++)
                {
                    if (_blank[i] != FreeByte)
                    {
                        Repairs++;
                        return _sectorSize;
                    }
                }
            }

            return c.Offset;
        }

        /// <summary>Starts a new head sector, then reclaims the oldest if no free sector would be left.</summary>
        private bool Advance()
        {
            for (int tries = 0; tries < _sectors; tries++)
            {
                int candidate = NextUsable(_count == 0 ? _sectors - 1 : _order[_count - 1]);
                if (candidate < 0)
                {
                    return false;
                }

                if (_generation[candidate] != 0)
                {
                    // No free sector at all (bad blocks ate the spare): the oldest must go first.
                    if (!ReclaimOldest())
                    {
                        return false;
                    }

                    continue;
                }

                if (!Format(candidate))
                {
                    continue;
                }

                _order[_count++] = candidate;
                _headOffset = SectorHeaderSize;
                _lastOffset = -1;
                if (_owner != null)
                {
                    _owner.SectorStarted(this);
                }

                int next = NextUsable(candidate);
                if (next >= 0 && _generation[next] != 0 && _count > 1 && !_reclaiming)
                {
                    ReclaimOldest();
                }

                return true;
            }

            return false;
        }

        private bool ReclaimOldest()
        {
            if (_count <= 1 || _reclaiming)
            {
                return false;
            }

            int oldest = _order[0];
            _reclaiming = true;
            if (_owner != null)
            {
                _owner.Reclaim(this, oldest);
            }

            _reclaiming = false;
            Remove(oldest);
            EraseSector(oldest);
            return true;
        }

        private void Remove(int sector)
        {
            int rank = RankOf(sector);
            if (rank < 0)
            {
                return;
            }

            for (int i = rank; i < _count - 1; i++)
            {
                _order[i] = _order[i + 1];
            }

            _count--;
            _generation[sector] = 0;
        }

        private bool EraseSector(int sector)
        {
            KnowErases(sector);
            _erases[sector]++;
            if (_flash.Erase(sector) != FlashStatus.Ok)
            {
                _bad[sector] = true;
                _blankKnown[sector] = false;
                return false;
            }

            _blankKnown[sector] = true;
            return true;
        }

        /// <summary>Erases a sector (unless this boot erased it and wrote nothing since) and writes its header; retires it if either fails.</summary>
        private bool Format(int sector)
        {
            if (!_blankKnown[sector] && !EraseSector(sector))
            {
                return false;
            }

            _blankKnown[sector] = false;

            uint gen = _nextGeneration++;
            LittleEndian.WriteUInt32(_header, 0, Magic);
            LittleEndian.WriteUInt32(_header, 4, gen);
            LittleEndian.WriteUInt32(_header, 8, _erases[sector]);
            LittleEndian.WriteUInt32(_header, 12, Crc32C.Compute(_header, 0, 12));
            if (_flash.Program(sector * _sectorSize, _header, 0, SectorHeaderSize) != FlashStatus.Ok)
            {
                _bad[sector] = true;
                return false;
            }

            _generation[sector] = gen;
            return true;
        }

        /// <summary>After a hinted mount a sector's erase count is read from its header when first needed.</summary>
        private void KnowErases(int sector)
        {
            if (_erasesKnown[sector])
            {
                return;
            }

            _erasesKnown[sector] = true;
            if (ReadHeader(sector))
            {
                _erases[sector] = LittleEndian.ReadUInt32(_header, 8);
            }
        }

        private bool ReadHeader(int sector)
        {
            if (_flash.Read(sector * _sectorSize, _header, 0, SectorHeaderSize) != FlashStatus.Ok)
            {
                return false;
            }

            return LittleEndian.ReadUInt32(_header, 0) == Magic && LittleEndian.ReadUInt32(_header, 12) == Crc32C.Compute(_header, 0, 12);
        }

        /// <summary>The next sector after <paramref name="from"/> in ring order that is not retired, or -1.</summary>
        private int NextUsable(int from)
        {
            for (int i = 1; i <= _sectors; i++)
            {
                int s = (from + i) % _sectors;
                if (!_bad[s])
                {
                    return s;
                }
            }

            return -1;
        }
    }
}
