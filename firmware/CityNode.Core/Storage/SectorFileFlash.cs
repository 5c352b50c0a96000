using CityNode.Hal;

namespace CityNode.Storage
{
    /// <summary>Whole sectors kept somewhere that commits atomically per sector (a file on littlefs).</summary>
    public interface ISectorStore
    {
        /// <summary>Reads a sector: 1 when read, 0 when it was never written (it reads as erased), -1 on an I/O error.</summary>
        int Load(int sector, byte[] into);

        /// <summary>Replaces a sector; false on an I/O error.</summary>
        bool Save(int sector, byte[] from);
    }

    /// <summary>
    /// A sector store that loads and saves the first <c>count</c> bytes of a buffer, so that regions
    /// of different sector sizes can share one <see cref="SectorBuffer"/>, and that keeps a sector
    /// as the prefix that was programmed: the bytes after it read as erased.
    /// </summary>
    public interface ISectorFiles : ISectorStore
    {
        /// <summary>As <see cref="ISectorStore.Load"/>, for a sector of <paramref name="count"/> bytes.</summary>
        int Load(int sector, byte[] into, int count);

        /// <summary>
        /// As <see cref="ISectorStore.Save"/>, for <paramref name="count"/> bytes: a sector saved
        /// shorter than its size holds erased bytes (0xFF) after them.
        /// </summary>
        bool Save(int sector, byte[] from, int count);

        /// <summary>
        /// Reads up to <paramref name="count"/> bytes of a sector into <paramref name="into"/>: how many
        /// it holds (0 when never written or saved empty; the rest of the sector is erased), -1 on an I/O error.
        /// </summary>
        int LoadPrefix(int sector, byte[] into, int count);
    }

    /// <summary>
    /// One sector-sized buffer shared by every <see cref="SectorFileFlash"/> of a node (journal,
    /// staging, config, crash counter, hint): only one of them works at a time, so a node keeps one
    /// 4 KB copy instead of one per region (docs/device-budget.md). It remembers whose sector it holds.
    /// </summary>
    public sealed class SectorBuffer
    {
        /// <summary>A littlefs block of the ESP32's I: drive: the largest sector a region has.</summary>
        public const int BlockSize = 4096;

        public SectorBuffer(int size)
        {
            Data = new byte[size];
            Sector = -1;
        }

        public byte[] Data { get; private set; }

        internal object Owner;

        internal int Sector;

        /// <summary>Bytes of the held sector up to the last one programmed: what a save writes (the rest is erased).</summary>
        internal int Used;
    }

    /// <summary>
    /// NOR flash semantics (erase to 0xFF, programming only clears bits) over whole-sector storage:
    /// on the ESP32 one littlefs file per sector, which littlefs commits only when the file is
    /// closed — so each erase and program rewrites and closes its sector, and a power cut leaves the
    /// old or the new sector, which the journal and staging logs recover from. Over
    /// <see cref="ISectorFiles"/> a sector is saved only up to its last programmed byte (a log fills
    /// its sectors from the front): an erase saves an empty file, and a small sector stays a littlefs
    /// inline file whose commit costs its programmed bytes, not a block (docs/reliability.md,
    /// staging). Portable, so the host tests the same code over an in-memory store.
    /// </summary>
    public sealed class SectorFileFlash : IFlash
    {
        private readonly ISectorStore _store;
        private readonly ISectorFiles _files;
        private readonly SectorBuffer _buffer;
        private readonly byte[] _sector;

        public SectorFileFlash(ISectorStore store, int sectorSize, int sectorCount)
            : this(store, sectorSize, sectorCount, null)
        {
        }

        /// <summary>
        /// With <paramref name="shared"/> (at least a sector long) and a store that implements
        /// <see cref="ISectorFiles"/>, the sector copy lives in the shared buffer; otherwise in a buffer of its own.
        /// </summary>
        public SectorFileFlash(ISectorStore store, int sectorSize, int sectorCount, SectorBuffer shared)
        {
            _store = store;
            _files = store as ISectorFiles;
            SectorSize = sectorSize;
            SectorCount = sectorCount;
            if (shared == null || _files == null || shared.Data.Length < sectorSize)
            {
                _files = null;
                shared = new SectorBuffer(sectorSize);
            }

            _buffer = shared;
            _sector = shared.Data;
        }

        public int SectorSize { get; private set; }

        public int SectorCount { get; private set; }

        public FlashStatus Read(int address, byte[] buffer, int offset, int count)
        {
            int sector = address / SectorSize;
            if (!InRange(address, count))
            {
                return FlashStatus.OutOfRange;
            }

            if (!Load(sector))
            {
                return FlashStatus.Error;
            }

            System.Array.Copy(_sector, address % SectorSize, buffer, offset, count);
            return FlashStatus.Ok;
        }

        public FlashStatus Program(int address, byte[] buffer, int offset, int count)
        {
            int sector = address / SectorSize;
            if (!InRange(address, count))
            {
                return FlashStatus.OutOfRange;
            }

            if (!Load(sector))
            {
                return FlashStatus.Error;
            }

            int at = address % SectorSize;
            for (int i = 0; i < count; i++)
            {
                _sector[at + i] &= buffer[offset + i];
            }

            if (at + count > _buffer.Used)
            {
                _buffer.Used = at + count;
            }

            return Save(sector);
        }

        public FlashStatus Erase(int sector)
        {
            if (sector < 0 || sector >= SectorCount)
            {
                return FlashStatus.OutOfRange;
            }

            _buffer.Owner = null; // the buffer now holds this erased sector, not what it held
            FillErased(0);
            _buffer.Used = 0;
            return Save(sector);
        }

        // The buffer holds this region's sector _buffer.Sector when _buffer.Owner is this instance: a
        // file is loaded once for the many small reads a log makes in it, not once per read. This
        // instance is the only writer of its files, so the copy cannot go stale; a failed save forgets it.
        private FlashStatus Save(int sector)
        {
            _buffer.Owner = null; // until the store says the file holds it
            bool ok = _files != null ? _files.Save(sector, _sector, _buffer.Used) : _store.Save(sector, _sector);
            if (!ok)
            {
                return FlashStatus.VerifyFailed;
            }

            _buffer.Owner = this;
            _buffer.Sector = sector;
            return FlashStatus.Ok;
        }

        private bool Load(int sector)
        {
            if (_buffer.Owner == this && _buffer.Sector == sector)
            {
                return true;
            }

            _buffer.Owner = null;
            int r;
            if (_files != null)
            {
                r = _files.LoadPrefix(sector, _sector, SectorSize);
                if (r >= 0)
                {
                    FillErased(r);
                    _buffer.Used = r;
                }
            }
            else
            {
                r = _store.Load(sector, _sector);
                if (r == 0)
                {
                    FillErased(0);
                }

                _buffer.Used = SectorSize;
            }

            if (r < 0)
            {
                return false;
            }

            _buffer.Owner = this;
            _buffer.Sector = sector;
            return true;
        }

        /// <summary>0xFF over the sector from <paramref name="from"/>, by doubling copies (a dozen calls instead of a 4096-step loop in IL).</summary>
        private void FillErased(int from)
        {
            byte[] b = _sector;
            int n = SectorSize - from;
            if (n <= 0)
            {
                return;
            }

            b[from] = 0xFF;
            int done = 1;
            while (done < n)
            {
                int k = done < n - done ? done : n - done;
                System.Array.Copy(b, from, b, from + done, k);
                done += k;
            }
        }

        private bool InRange(int address, int count)
        {
            return address >= 0 && count >= 0 && address / SectorSize < SectorCount && (address % SectorSize) + count <= SectorSize;
        }
    }
}
