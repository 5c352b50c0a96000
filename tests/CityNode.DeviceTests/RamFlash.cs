using CityNode.Hal;

namespace CityNode.DeviceTests
{
    /// <summary>NOR flash semantics in a byte array (the tests' flash; the device's real one is littlefs files).</summary>
    public sealed class RamFlash : IFlash
    {
        private readonly byte[] _cells;

        public RamFlash(int sectorSize, int sectorCount)
        {
            SectorSize = sectorSize;
            SectorCount = sectorCount;
            _cells = new byte[sectorSize * sectorCount];
            for (int i = 0; i < _cells.Length; i++)
            {
                _cells[i] = 0xFF;
            }
        }

        public int SectorSize { get; private set; }

        public int SectorCount { get; private set; }

        public FlashStatus Read(int address, byte[] buffer, int offset, int count)
        {
            System.Array.Copy(_cells, address, buffer, offset, count);
            return FlashStatus.Ok;
        }

        public FlashStatus Program(int address, byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                _cells[address + i] &= buffer[offset + i];
            }

            return FlashStatus.Ok;
        }

        public FlashStatus Erase(int sector)
        {
            for (int i = 0; i < SectorSize; i++)
            {
                _cells[(sector * SectorSize) + i] = 0xFF;
            }

            return FlashStatus.Ok;
        }
    }
}
