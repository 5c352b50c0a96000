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
    /// NOR flash semantics (erase to 0xFF, programming only clears bits) over whole-sector storage:
    /// on the ESP32 one littlefs file per sector, which littlefs commits only when the file is
    /// closed — so each erase and program rewrites and closes its sector, and a power cut leaves the
    /// old or the new sector, which the journal and staging logs recover from. Portable, so the
    /// host tests the same code over an in-memory store.
    /// </summary>
    public sealed class SectorFileFlash : IFlash
    {
        private readonly ISectorStore _store;
        private readonly byte[] _sector;
        // The sector whose content _sector holds (-1 = none): a file is loaded once for the many
        // small reads a log makes in it, not once per read. This instance is the only writer of
        // its files, so the copy cannot go stale; a failed save forgets it.
        private int _loaded = -1;

        public SectorFileFlash(ISectorStore store, int sectorSize, int sectorCount)
        {
            _store = store;
            SectorSize = sectorSize;
            SectorCount = sectorCount;
            _sector = new byte[sectorSize];
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

            return Save(sector);
        }

        public FlashStatus Erase(int sector)
        {
            if (sector < 0 || sector >= SectorCount)
            {
                return FlashStatus.OutOfRange;
            }

            FillErased();
            return Save(sector);
        }

        private FlashStatus Save(int sector)
        {
            _loaded = -1; // until the store says the file holds it
            if (!_store.Save(sector, _sector))
            {
                return FlashStatus.VerifyFailed;
            }

            _loaded = sector;
            return FlashStatus.Ok;
        }

        private bool Load(int sector)
        {
            if (sector == _loaded)
            {
                return true;
            }

            _loaded = -1;
            int r = _store.Load(sector, _sector);
            if (r == 0)
            {
                FillErased();
            }

            if (r < 0)
            {
                return false;
            }

            _loaded = sector;
            return true;
        }

        /// <summary>0xFF everywhere, by doubling copies (a dozen calls instead of a 4096-step loop in IL).</summary>
        private void FillErased()
        {
            byte[] b = _sector;
            int n = b.Length;
            if (n == 0)
            {
                return;
            }

            b[0] = 0xFF;
            int done = 1;
            while (done < n)
            {
                int k = done < n - done ? done : n - done;
                System.Array.Copy(b, 0, b, done, k);
                done += k;
            }
        }

        private bool InRange(int address, int count)
        {
            return address >= 0 && count >= 0 && address / SectorSize < SectorCount && (address % SectorSize) + count <= SectorSize;
        }
    }
}
