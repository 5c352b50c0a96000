using System.IO;
using CityNode.Hal;
using CityNode.Storage;

namespace CityNode.Esp32.Glue
{
    /// <summary>
    /// Flash regions on the littlefs I: drive, one file per sector: as provider, the root folder; as
    /// sector store, one region's file prefix. littlefs commits a file only on close (Flush does not).
    /// </summary>
    internal sealed class LittleFsSectors : IFlashProvider, ISectorStore
    {
        private readonly string _path;

        public LittleFsSectors(string path) => _path = path;

        public IFlash Open(string name, int sectorSize, int sectorCount)
        {
            Directory.CreateDirectory(_path + name);
            return new SectorFileFlash(new LittleFsSectors(_path + name + "\\s"), sectorSize, sectorCount);
        }

        public int Load(int sector, byte[] into)
        {
            if (!File.Exists(_path + sector.ToString()))
            {
                return 0; // never written: reads as erased
            }

            using (FileStream f = new FileStream(_path + sector.ToString(), FileMode.Open, FileAccess.Read))
            {
                return f.Read(into, 0, into.Length) == into.Length ? 1 : -1;
            }
        }

        public bool Save(int sector, byte[] from)
        {
            try
            {
                using (FileStream f = new FileStream(_path + sector.ToString(), FileMode.Create, FileAccess.Write))
                {
                    f.Write(from, 0, from.Length);
                } // closed: committed
                return true;
            }
            catch (IOException)
            {
                return false; // the log retires the sector
            }
        }
    }
}
