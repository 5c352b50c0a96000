using CityNode.Hal;
using CityNode.Util;

namespace CityNode.Ota
{
    /// <summary>
    /// The A/B boot record: which slot the loader runs, in which state, and what the other slot holds.
    /// Kept like <see cref="CityNode.Storage.ConfigStore"/>: two sectors, each new record goes to the
    /// sector not holding the current one with a generation one higher and a CRC-32C, so a power cut
    /// at any flash write leaves the old record or the new one — the switch to a new slot is this one
    /// record write, never a mix. A device without a record runs slot 0 (the cable-installed image,
    /// counter 0). Record: magic "CNAB" | generation u32 | slot u8 | state u8 | trial boots u8 |
    /// failure u8 | version u32 | counter u32 | previous version u32 | previous counter u32 |
    /// refused counter u32 | failure detail u16 | other slot valid u16 | CRC-32C.
    /// </summary>
    public sealed class BootRecord
    {
        private const uint Magic = 0x42414E43; // "CNAB"
        private const int Size = 40;
        private readonly IFlash _flash;
        private readonly int _first;
        private readonly byte[] _buffer = new byte[Size];
        private int _current = -1;

        /// <param name="flash">The OTA state region.</param>
        /// <param name="firstSector">The first of the record's two sectors.</param>
        public BootRecord(IFlash flash, int firstSector)
        {
            _flash = flash;
            _first = firstSector;
        }

        public uint Generation;
        public int Slot;
        public OtaState State;
        public int TrialBoots;
        public OtaFailure Failure;
        public int FailureDetail;
        public uint Version;
        public uint Counter;
        public uint PreviousVersion;
        public uint PreviousCounter;

        /// <summary>The other slot holds the release that ran before (a fallback for the loader); false once a download writes into it or after a rollback.</summary>
        public bool OtherSlotValid;

        /// <summary>The highest counter rolled back or refused after verification here: never accepted again.</summary>
        public uint RefusedCounter;

        /// <summary>Loads the newest intact record; without one, the cable-installed state (slot 0, idle, counter 0).</summary>
        public void Load()
        {
            _current = -1;
            Generation = 0;
            Slot = 0;
            State = OtaState.Idle;
            TrialBoots = 0;
            Failure = OtaFailure.None;
            FailureDetail = 0;
            Version = 0;
            Counter = 0;
            PreviousVersion = 0;
            PreviousCounter = 0;
            RefusedCounter = 0;
            OtherSlotValid = false;
            uint best = 0;
            int bestSector = -1;
            for (int s = 0; s < 2; s++)
            {
                uint g = ReadGeneration(s);
                if (g != 0 && (bestSector < 0 || g > best))
                {
                    best = g;
                    bestSector = s;
                }
            }

            if (bestSector < 0)
            {
                return;
            }

            ReadGeneration(bestSector); // leaves its bytes in the buffer
            byte[] b = _buffer;
            Generation = best;
            Slot = b[8];
            State = (OtaState)b[9];
            TrialBoots = b[10];
            Failure = (OtaFailure)b[11];
            Version = LittleEndian.ReadUInt32(b, 12);
            Counter = LittleEndian.ReadUInt32(b, 16);
            PreviousVersion = LittleEndian.ReadUInt32(b, 20);
            PreviousCounter = LittleEndian.ReadUInt32(b, 24);
            RefusedCounter = LittleEndian.ReadUInt32(b, 28);
            FailureDetail = LittleEndian.ReadUInt16(b, 32);
            OtherSlotValid = LittleEndian.ReadUInt16(b, 34) == 1;
            _current = bestSector;
        }

        /// <summary>Writes the fields as the next generation into the other sector; false if the flash refused (the old record stays current).</summary>
        public bool Save()
        {
            int target = _current == 0 ? 1 : 0;
            uint generation = Generation + 1;
            byte[] b = _buffer;
            LittleEndian.WriteUInt32(b, 0, Magic);
            LittleEndian.WriteUInt32(b, 4, generation);
            b[8] = (byte)Slot;
            b[9] = (byte)State;
            b[10] = (byte)(TrialBoots > 255 ? 255 : TrialBoots);
            b[11] = (byte)Failure;
            LittleEndian.WriteUInt32(b, 12, Version);
            LittleEndian.WriteUInt32(b, 16, Counter);
            LittleEndian.WriteUInt32(b, 20, PreviousVersion);
            LittleEndian.WriteUInt32(b, 24, PreviousCounter);
            LittleEndian.WriteUInt32(b, 28, RefusedCounter);
            LittleEndian.WriteUInt16(b, 32, FailureDetail & 0xFFFF);
            LittleEndian.WriteUInt16(b, 34, OtherSlotValid ? 1 : 0);
            LittleEndian.WriteUInt32(b, 36, Crc32C.Compute(b, 0, 36));
            int sector = _first + target;
            if (_flash.Erase(sector) != FlashStatus.Ok || _flash.Program(sector * _flash.SectorSize, b, 0, Size) != FlashStatus.Ok)
            {
                return false;
            }

            if (ReadGeneration(target) != generation)
            {
                return false;
            }

            Generation = generation;
            _current = target;
            return true;
        }

        // The record's generation when the sector holds an intact record, else 0; the record stays in the buffer.
        private uint ReadGeneration(int s)
        {
            if (_flash.Read((_first + s) * _flash.SectorSize, _buffer, 0, Size) != FlashStatus.Ok
                || LittleEndian.ReadUInt32(_buffer, 0) != Magic
                || Crc32C.Compute(_buffer, 0, 36) != LittleEndian.ReadUInt32(_buffer, 36))
            {
                return 0;
            }

            return LittleEndian.ReadUInt32(_buffer, 4);
        }
    }
}
