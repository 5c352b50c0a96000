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

            return _store.Save(sector, _sector) ? FlashStatus.Ok : FlashStatus.VerifyFailed;
        }

        public FlashStatus Erase(int sector)
        {
            if (sector < 0 || sector >= SectorCount)
            {
                return FlashStatus.OutOfRange;
            }

            for (int i = 0; i < SectorSize; i++)
            {
                _sector[i] = 0xFF;
            }

            return _store.Save(sector, _sector) ? FlashStatus.Ok : FlashStatus.VerifyFailed;
        }

        private bool Load(int sector)
        {
            int r = _store.Load(sector, _sector);
            if (r == 0)
            {
                for (int i = 0; i < SectorSize; i++)
                {
                    _sector[i] = 0xFF;
                }
            }

            return r >= 0;
        }

        private bool InRange(int address, int count)
        {
            return address >= 0 && count >= 0 && address / SectorSize < SectorCount && (address % SectorSize) + count <= SectorSize;
        }
    }
}
