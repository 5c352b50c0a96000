namespace CityNode.Util
{
    /// <summary>
    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF), the CRC
    /// of iSCSI and ext4. Chosen over CRC-32/IEEE for its better Hamming distance at payload sizes
    /// up to a few kilobytes. Check value: CRC-32C("123456789") = 0xE3069283.
    /// </summary>
    public static class Crc32C
    {
        private static readonly uint[] Table = BuildTable();

        private static uint[] BuildTable()
        {
            uint[] table = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
                }

                table[i] = c;
            }

            return table;
        }

        /// <summary>CRC of a range of bytes.</summary>
        public static uint Compute(byte[] data, int offset, int count)
        {
            return Finish(Update(Start, data, offset, count));
        }

        /// <summary>Initial running value for <see cref="Update"/>.</summary>
        public const uint Start = 0xFFFFFFFFu;

        /// <summary>Feeds more bytes into a running value.</summary>
        public static uint Update(uint running, byte[] data, int offset, int count)
        {
            uint[] table = Table;
            int end = offset + count;
            for (int i = offset; i < end; i++)
            {
                running = table[(running ^ data[i]) & 0xFF] ^ (running >> 8);
            }

            return running;
        }

        /// <summary>Turns a running value into the CRC.</summary>
        public static uint Finish(uint running)
        {
            return running ^ 0xFFFFFFFFu;
        }
    }
}
