namespace CityNode.Drivers.Common
{
    /// <summary>
    /// The CRC-8 Sensirion puts after every 16-bit word (SCD4x datasheet §3.11, SHT4x datasheet
    /// §4.4): polynomial 0x31 (x⁸ + x⁵ + x⁴ + 1), initial value 0xFF, no reflection, no final XOR.
    /// CRC(0xBEEF) = 0x92. Shared by every Sensirion driver and its simulated chip.
    /// </summary>
    public static class SensirionCrc
    {
        // Table-driven: two lookups per word instead of 16 shift steps in IL (the interpreter
        // pays per instruction); 256 bytes, built once.
        private static readonly byte[] Table = BuildTable();

        public static byte Compute(byte msb, byte lsb)
        {
            byte[] t = Table;
            return t[t[0xFF ^ msb] ^ lsb];
        }

        /// <summary>True when the word at <paramref name="offset"/> is followed by its CRC.</summary>
        public static bool Check(byte[] data, int offset)
        {
            return Compute(data[offset], data[offset + 1]) == data[offset + 2];
        }

        private static byte[] BuildTable()
        {
            byte[] t = new byte[256];
            for (int i = 0; i < 256; i++)
            {
                t[i] = (byte)Step(i);
            }

            return t;
        }

        private static int Step(int crc)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x31) & 0xFF : (crc << 1) & 0xFF;
            }

            return crc;
        }
    }
}
