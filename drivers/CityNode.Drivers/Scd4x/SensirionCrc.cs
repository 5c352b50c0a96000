namespace CityNode.Drivers.Scd4x
{
    /// <summary>
    /// The CRC-8 Sensirion puts after every 16-bit word (SCD4x datasheet §3.11): polynomial 0x31
    /// (x⁸ + x⁵ + x⁴ + 1), initial value 0xFF, no reflection, no final XOR. CRC(0xBEEF) = 0x92.
    /// </summary>
    public static class SensirionCrc
    {
        public static byte Compute(byte msb, byte lsb)
        {
            int crc = 0xFF;
            crc = Step(crc ^ msb);
            crc = Step(crc ^ lsb);
            return (byte)crc;
        }

        /// <summary>True when the word at <paramref name="offset"/> is followed by its CRC.</summary>
        public static bool Check(byte[] data, int offset)
        {
            return Compute(data[offset], data[offset + 1]) == data[offset + 2];
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
