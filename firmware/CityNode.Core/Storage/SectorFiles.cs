using System.IO;
using CityNode.Hal;

namespace CityNode.Storage
{
    /// <summary>
    /// Flash regions on a file system, one file per sector: as provider, the root folder; as sector
    /// store, one region's folder. A file system that commits a file only on close (littlefs: Flush
    /// does not) saves a sector as one file write, up to its last programmed byte (the rest reads as
    /// erased): on the ESP32 a sector of at most 512 B stays an inline file (littlefs inline_max with
    /// esp_littlefs's defaults), committed into its folder's metadata without a block erase. Every
    /// region shares the provider's one sector buffer (docs/device-budget.md). The platform supplies
    /// the four file calls.
    /// </summary>
    public abstract class SectorFiles : IFlashProvider, ISectorFiles
    {
        private readonly string _path;
        private readonly SectorBuffer _buffer;

        // The last sector's file name: a log works in one sector for many samples, and a name costs two
        // allocations (the number, the concatenation) that would otherwise come with every sample and seal.
        private int _namedSector = -1;
        private string _name;

        /// <param name="path">The root folder, ending in the separator.</param>
        protected SectorFiles(string path)
            : this(path, new SectorBuffer(SectorBuffer.BlockSize))
        {
        }

        protected SectorFiles(string path, SectorBuffer buffer)
        {
            _path = path;
            _buffer = buffer;
        }

        public IFlash Open(string name, int sectorSize, int sectorCount)
        {
            CreateFolder(_path + name);
            return new SectorFileFlash(Region(_path + name + Separator + "s", _buffer), sectorSize, sectorCount, _buffer);
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
            int n = LoadPrefix(sector, into, count);
            return n <= 0 ? n : n == count ? 1 : -1; // a short file: torn or foreign
        }

        public int LoadPrefix(int sector, byte[] into, int count)
        {
            string file = FileOf(sector);
            return Exists(file) ? ReadPrefix(file, into, count) : 0; // never written: reads as erased
        }

        public bool Save(int sector, byte[] from, int count)
        {
            try
            {
                Write(FileOf(sector), from, count);
                return true;
            }
            catch (IOException)
            {
                return false; // the log retires the sector
            }
        }

        private string FileOf(int sector)
        {
            if (sector != _namedSector)
            {
                _name = _path + sector.ToString();
                _namedSector = sector;
            }

            return _name;
        }

        /// <summary>The folder separator of the file system.</summary>
        protected abstract string Separator { get; }

        /// <summary>The store of one region: files named <paramref name="prefix"/> + sector number.</summary>
        protected abstract SectorFiles Region(string prefix, SectorBuffer buffer);

        protected abstract void CreateFolder(string path);

        protected abstract bool Exists(string file);

        /// <summary>Reads up to <paramref name="count"/> bytes from the file's start: how many it read, -1 when the file is shorter than it said.</summary>
        protected abstract int ReadPrefix(string file, byte[] into, int count);

        /// <summary>Replaces the file with <paramref name="count"/> bytes, committed when this returns; IOException when it cannot.</summary>
        protected abstract void Write(string file, byte[] from, int count);
    }
}
