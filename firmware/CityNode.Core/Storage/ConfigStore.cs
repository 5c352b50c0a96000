using CityNode.Hal;
using CityNode.Util;

namespace CityNode.Storage
{
    /// <summary>
    /// The remote configuration document, kept in flash so it survives sleep and power loss. Two
    /// slots of one sector each (A/B): a new document goes to the slot not holding the current one,
    /// with a generation number one higher and a CRC-32C over everything, so a power cut at any
    /// point leaves either the old document or the new one readable — never a mix.
    /// Record: magic "CNCF" | generation u32 | length u16 | ASCII text | CRC-32C (LE).
    /// </summary>
    public sealed class ConfigStore
    {
        private const uint Magic = 0x46434E43; // "CNCF" little-endian
        private const int HeaderSize = 10;
        private readonly IFlash _flash;
        private readonly byte[] _buffer;
        private int _currentSlot = -1;
        private uint _generation;

        public ConfigStore(IFlash flash)
        {
            if (flash.SectorCount < 2)
            {
                throw new System.ArgumentException("the configuration store needs two sectors");
            }

            _flash = flash;
            _buffer = new byte[flash.SectorSize];
        }

        /// <summary>Longest document a slot holds.</summary>
        public int MaxLength { get { return _flash.SectorSize - HeaderSize - 4; } }

        /// <summary>Generation of the document last loaded or saved (0: none).</summary>
        public uint Generation { get { return _generation; } }

        /// <summary>The newest intact document, or null if there is none.</summary>
        public string Load()
        {
            string best = null;
            _currentSlot = -1;
            _generation = 0;
            for (int slot = 0; slot < 2; slot++)
            {
                uint generation;
                string text = ReadSlot(slot, out generation);
                if (text != null && (best == null || generation > _generation))
                {
                    best = text;
                    _generation = generation;
                    _currentSlot = slot;
                }
            }

            return best;
        }

        /// <summary>Writes a document to the other slot. Returns false if flash refused it (the old one stays current).</summary>
        public bool Save(string text)
        {
            if (text.Length > MaxLength)
            {
                return false;
            }

            if (_currentSlot < 0)
            {
                Load();
            }

            int slot = _currentSlot == 0 ? 1 : 0;
            uint generation = _generation + 1;
            LittleEndian.WriteUInt32(_buffer, 0, Magic);
            LittleEndian.WriteUInt32(_buffer, 4, generation);
            LittleEndian.WriteUInt16(_buffer, 8, (ushort)text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                _buffer[HeaderSize + i] = (byte)text[i];
            }

            int end = HeaderSize + text.Length;
            LittleEndian.WriteUInt32(_buffer, end, Crc32C.Compute(_buffer, 0, end));
            if (_flash.Erase(slot) != FlashStatus.Ok || _flash.Program(slot * _flash.SectorSize, _buffer, 0, end + 4) != FlashStatus.Ok)
            {
                return false;
            }

            uint check;
            if (ReadSlot(slot, out check) == null || check != generation)
            {
                return false;
            }

            _currentSlot = slot;
            _generation = generation;
            return true;
        }

        private string ReadSlot(int slot, out uint generation)
        {
            generation = 0;
            int at = slot * _flash.SectorSize;
            if (_flash.Read(at, _buffer, 0, HeaderSize) != FlashStatus.Ok || LittleEndian.ReadUInt32(_buffer, 0) != Magic)
            {
                return null;
            }

            int length = LittleEndian.ReadUInt16(_buffer, 8);
            if (length > MaxLength || _flash.Read(at, _buffer, 0, HeaderSize + length + 4) != FlashStatus.Ok)
            {
                return null;
            }

            int end = HeaderSize + length;
            if (Crc32C.Compute(_buffer, 0, end) != LittleEndian.ReadUInt32(_buffer, end))
            {
                return null;
            }

            char[] chars = new char[length];
            for (int i = 0; i < length; i++)
            {
                chars[i] = (char)_buffer[HeaderSize + i];
            }

            generation = LittleEndian.ReadUInt32(_buffer, 4);
            return new string(chars);
        }
    }
}
