namespace CityNode.Drivers.Pms5003
{
    /// <summary>
    /// Finds and checks PMS5003 frames in a byte stream (Plantower PMS5003 data manual, appendix I):
    /// <code>
    /// 0x42 0x4D | frame length (2 B, = 2×13 + 2 = 28) | 13 data words, big-endian | checksum (2 B)
    /// </code>
    /// The checksum is the 16-bit sum of every byte before it. The parser resynchronises on its own:
    /// noise before a frame, a frame cut short and followed by another, or a bad checksum all make
    /// it drop the bytes it holds and look for the next start bytes (including inside what it
    /// dropped). No allocation.
    /// </summary>
    public sealed class Pms5003Frame
    {
        public const byte Start1 = 0x42;
        public const byte Start2 = 0x4D;
        public const int DataFrameLength = 28;
        public const int FrameSize = 32;

        /// <summary>Data word indexes (appendix I, "Data 1" is index 0).</summary>
        public const int Pm1Standard = 0;
        public const int Pm25Standard = 1;
        public const int Pm10Standard = 2;
        public const int Pm1Atmospheric = 3;
        public const int Pm25Atmospheric = 4;
        public const int Pm10Atmospheric = 5;
        public const int VersionAndError = 12;

        private readonly byte[] _buf = new byte[FrameSize];
        private int _have;

        /// <summary>Frames rejected for their checksum since construction.</summary>
        public int ChecksumErrors { get; private set; }

        /// <summary>Bytes skipped while looking for a frame start.</summary>
        public int SkippedBytes { get; private set; }

        /// <summary>The last complete, checked frame (valid after <see cref="Feed"/> returned true).</summary>
        public byte[] Frame { get { return _buf; } }

        public void Clear()
        {
            _have = 0;
        }

        /// <summary>A data word of the last frame.</summary>
        public int Word(int index)
        {
            int at = 4 + (2 * index);
            return (_buf[at] << 8) | _buf[at + 1];
        }

        /// <summary>Adds one byte; true when it completes a frame whose length and checksum are right.</summary>
        public bool Feed(byte b)
        {
            if (_have == 0 && b != Start1)
            {
                SkippedBytes++;
                return false;
            }

            if (_have == 1 && b != Start2)
            {
                _have = 0;
                SkippedBytes++;
                return Feed(b);
            }

            _buf[_have++] = b;
            if (_have == 4)
            {
                int length = (_buf[2] << 8) | _buf[3];
                if (length != DataFrameLength)
                {
                    // Not a data frame (a command answer is 4 long) or noise that looked like a start.
                    Resync(1);
                    return false;
                }
            }

            if (_have < FrameSize)
            {
                return false;
            }

            int sum = 0;
            for (int i = 0; i < FrameSize - 2; i++)
            {
                sum += _buf[i];
            }

            int stored = (_buf[FrameSize - 2] << 8) | _buf[FrameSize - 1];
            if ((sum & 0xFFFF) != stored)
            {
                ChecksumErrors++;
                Resync(1);
                return false;
            }

            _have = 0;
            return true;
        }

        /// <summary>Drops the first <paramref name="skip"/> bytes held and re-feeds the rest, so a start inside them is found.</summary>
        private void Resync(int skip)
        {
            int n = _have;
            _have = 0;
            SkippedBytes += skip;
            for (int i = skip; i < n; i++)
            {
                byte x = _buf[i];
                if (_have == 0 && x != Start1)
                {
                    SkippedBytes++;
                    continue;
                }

                Feed(x);
            }
        }

        /// <summary>Builds the 7-byte command frame: 0x42 0x4D CMD DATAH DATAL LRCH LRCL (sum of the first five).</summary>
        public static void Command(byte[] into, byte command, int data)
        {
            into[0] = Start1;
            into[1] = Start2;
            into[2] = command;
            into[3] = (byte)(data >> 8);
            into[4] = (byte)data;
            int sum = 0;
            for (int i = 0; i < 5; i++)
            {
                sum += into[i];
            }

            into[5] = (byte)(sum >> 8);
            into[6] = (byte)sum;
        }
    }
}
