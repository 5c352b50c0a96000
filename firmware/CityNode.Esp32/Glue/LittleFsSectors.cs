using System.IO;
using CityNode.Hal;
using CityNode.Node;
using CityNode.Storage;

namespace CityNode.Esp32.Glue
{
    /// <summary>
    /// Flash regions on the littlefs I: drive, one file per sector: as provider, the root folder; as
    /// sector store, one region's folder. littlefs commits a file only on close (Flush does not), so a
    /// sector is saved as one file write, up to its last programmed byte (the rest reads as erased):
    /// a sector of at most 512 B stays an inline file (littlefs inline_max with esp_littlefs's
    /// defaults), committed into its folder's metadata without a block erase. Every region shares the
    /// provider's one sector buffer (docs/device-budget.md).
    /// </summary>
    internal sealed class LittleFsSectors : IFlashProvider, ISectorFiles
    {
        private readonly string _path;
        private readonly SectorBuffer _buffer;

        public LittleFsSectors(string path)
            : this(path, new SectorBuffer(NodeAssembly.JournalSectorSize))
        {
        }

        private LittleFsSectors(string path, SectorBuffer buffer)
        {
            _path = path;
            _buffer = buffer;
        }

        public IFlash Open(string name, int sectorSize, int sectorCount)
        {
            Directory.CreateDirectory(_path + name);
            return new SectorFileFlash(new LittleFsSectors(_path + name + "\\s", _buffer), sectorSize, sectorCount, _buffer);
        }

        public int Load(int sector, byte[] into)
        {
            return Load(sector, into, into.Length);
        }

        public bool Save(int sector, byte[] from)
        {
            return Save(sector, from, from.Length);
        }

        public int Load(int sector, byte[] into, int count)
        {
            string file = FileOf(sector);
            if (!File.Exists(file))
            {
                return 0; // never written: reads as erased
            }

            using (FileStream f = new FileStream(file, FileMode.Open, FileAccess.Read))
            {
                return f.Read(into, 0, count) == count ? 1 : -1;
            }
        }

        public int LoadPrefix(int sector, byte[] into, int count)
        {
            string file = FileOf(sector);
            if (!File.Exists(file))
            {
                return 0; // never written: reads as erased
            }

            using (FileStream f = new FileStream(file, FileMode.Open, FileAccess.Read))
            {
                int n = f.Length < count ? (int)f.Length : count;
                return n == 0 || f.Read(into, 0, n) == n ? n : -1;
            }
        }

        public bool Save(int sector, byte[] from, int count)
        {
            try
            {
                using (FileStream f = new FileStream(FileOf(sector), FileMode.Create, FileAccess.Write))
                {
                    f.Write(from, 0, count);
                } // closed: committed
                return true;
            }
            catch (IOException)
            {
                return false; // the log retires the sector
            }
        }

        private string FileOf(int sector)
        {
            return _path + sector.ToString();
        }
    }
}
