using CityNode.Hal;
using CityNode.Util;

namespace CityNode.Ota
{
    /// <summary>
    /// What the update keeps in the OTA state region besides the boot record (docs/ota.md, flash
    /// layout): sector 2 the pending manifest (length u32 | CRC-32C u32 | bytes), sector 3 the
    /// download's progress (magic "CNPG" | counter u32 | slot u32 | reserved u32 | one byte per
    /// chunk, 0x00 = in), sectors 4 and 5 the manifest of the release each slot holds (same form as
    /// sector 2), written before the switch, so the loader knows the files of the slot it runs.
    /// </summary>
    public sealed class OtaStore
    {
        public const int ManifestSector = 2;
        public const int ProgressSector = 3;

        /// <summary>The installed manifest of slot s is in sector <see cref="InstalledSector"/> + s.</summary>
        public const int InstalledSector = 4;

        private const uint ProgressMagic = 0x47504E43; // "CNPG"
        private const int MarksAt = 16;

        private readonly IFlash _state;
        private readonly byte[] _head = new byte[MarksAt];
        private readonly byte[] _mark = new byte[1];

        public OtaStore(IFlash state)
        {
            _state = state;
        }

        /// <summary>Reads the manifest kept in <paramref name="sector"/> into <paramref name="into"/>: its length, or 0 when there is none intact.</summary>
        public int ReadManifest(int sector, byte[] into)
        {
            int at = sector * _state.SectorSize;
            if (_state.Read(at, _head, 0, 8) != FlashStatus.Ok)
            {
                return 0;
            }

            uint length = LittleEndian.ReadUInt32(_head, 0);
            uint crc = LittleEndian.ReadUInt32(_head, 4);
            if (length == 0 || length > OtaManifest.MaxLength || length > into.Length
                || _state.Read(at + 8, into, 0, (int)length) != FlashStatus.Ok
                || Crc32C.Compute(into, 0, (int)length) != crc)
            {
                return 0;
            }

            return (int)length;
        }

        /// <summary>Writes a manifest into <paramref name="sector"/>: bytes first, the header last, so a cut leaves no intact manifest rather than a wrong one.</summary>
        public bool WriteManifest(int sector, byte[] manifest, int length)
        {
            LittleEndian.WriteUInt32(_head, 0, (uint)length);
            LittleEndian.WriteUInt32(_head, 4, Crc32C.Compute(manifest, 0, length));
            int at = sector * _state.SectorSize;
            return _state.Erase(sector) == FlashStatus.Ok
                && _state.Program(at + 8, manifest, 0, length) == FlashStatus.Ok
                && _state.Program(at, _head, 0, 8) == FlashStatus.Ok;
        }

        public bool Erase(int sector)
        {
            return _state.Erase(sector) == FlashStatus.Ok;
        }

        /// <summary>Starts the progress of a download of <paramref name="counter"/> into <paramref name="slot"/>: header last, so a cut leaves a sector <see cref="ProgressMatches"/> refuses.</summary>
        public bool StartProgress(uint counter, int slot)
        {
            LittleEndian.WriteUInt32(_head, 0, ProgressMagic);
            LittleEndian.WriteUInt32(_head, 4, counter);
            LittleEndian.WriteUInt32(_head, 8, (uint)slot);
            LittleEndian.WriteUInt32(_head, 12, 0);
            return _state.Erase(ProgressSector) == FlashStatus.Ok
                && _state.Program(ProgressSector * _state.SectorSize, _head, 0, MarksAt) == FlashStatus.Ok;
        }

        public bool ProgressMatches(uint counter, int slot)
        {
            return _state.Read(ProgressSector * _state.SectorSize, _head, 0, MarksAt) == FlashStatus.Ok
                && LittleEndian.ReadUInt32(_head, 0) == ProgressMagic
                && LittleEndian.ReadUInt32(_head, 4) == counter
                && LittleEndian.ReadUInt32(_head, 8) == (uint)slot;
        }

        /// <summary>Whether a chunk is marked in. A mark cut part-way is not 0x00: the chunk is written again, and its mark programmed over.</summary>
        public bool IsIn(int chunk)
        {
            return _state.Read((ProgressSector * _state.SectorSize) + MarksAt + chunk, _mark, 0, 1) == FlashStatus.Ok && _mark[0] == 0x00;
        }

        public bool Mark(int chunk)
        {
            _mark[0] = 0x00;
            return _state.Program((ProgressSector * _state.SectorSize) + MarksAt + chunk, _mark, 0, 1) == FlashStatus.Ok;
        }
    }
}
