using CityNode.Hal;

namespace CityNode.Storage
{
    /// <summary>
    /// Counts crashes that came soon after boot, in one flash sector without erasing per crash:
    /// each crash clears one more byte to 0x00 (NOR programming only clears bits), and a healthy
    /// cycle erases the sector. Costs no flash write on a normal wake, so deep-sleeping nodes do
    /// not wear it. A torn byte write counts as a crash (bytes are read as "not 0xFF").
    /// </summary>
    public sealed class CrashCounter
    {
        private const int MaxMarks = 64;
        private readonly IFlash _flash;
        private readonly byte[] _bytes = new byte[MaxMarks];
        private readonly byte[] _zero = new byte[1];

        public CrashCounter(IFlash flash)
        {
            _flash = flash;
        }

        public int Count()
        {
            if (_flash.Read(0, _bytes, 0, MaxMarks) != FlashStatus.Ok)
            {
                return 0;
            }

            int n = 0;
            while (n < MaxMarks && _bytes[n] != 0xFF)
            {
                n++;
            }

            return n;
        }

        /// <summary>Records one crash (the device glue calls it before rebooting after an exception; boot calls it after a watchdog or panic reset).</summary>
        public void Mark()
        {
            int n = Count();
            if (n < MaxMarks)
            {
                _flash.Program(n, _zero, 0, 1);
            }
        }

        /// <summary>Forgets the crashes (after a healthy cycle, or after safe mode reported them).</summary>
        public void Clear()
        {
            if (Count() > 0)
            {
                _flash.Erase(0);
            }
        }
    }
}
