namespace CityNode.Telemetry
{
    /// <summary>Bounds-checked reader over a payload; every failure names its offset.</summary>
    public sealed class ByteReader
    {
        private byte[] _data;
        private int _end;

        public ByteReader()
        {
        }

        public ByteReader(byte[] data, int offset, int count)
        {
            Reset(data, offset, count);
        }

        public void Reset(byte[] data, int offset, int count)
        {
            _data = data;
            Position = offset;
            _end = offset + count;
        }

        public int Position { get; set; }

        public int End { get { return _end; } }

        public int Remaining { get { return _end - Position; } }

        public byte[] Data { get { return _data; } }

        public byte ReadByte(string field)
        {
            if (Position >= _end)
            {
                throw new PayloadException(Position, "truncated: " + field + " missing");
            }

            return _data[Position++];
        }

        public uint ReadUInt32(string field)
        {
            if (_end - Position < 4)
            {
                throw new PayloadException(Position, "truncated: " + field + " needs 4 bytes");
            }

            uint v = (uint)(_data[Position] | (_data[Position + 1] << 8) | (_data[Position + 2] << 16) | (_data[Position + 3] << 24));
            Position += 4;
            return v;
        }

        /// <summary>LEB128 unsigned varint of at most 10 bytes whose value fits 64 bits (docs/payload.md, Conventions).</summary>
        public ulong ReadVarint(string field)
        {
            int start = Position;
            ulong v = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (Position >= _end)
                {
                    throw new PayloadException(Position, "truncated: " + field + " varint unfinished");
                }

                byte b = _data[Position++];
                if (shift == 63 && b > 1)
                {
                    // The 10th byte holds bit 63 only: anything more would be dropped, and decoders with
                    // wider integers would read another value.
                    throw new PayloadException(start, field + " varint exceeds 64 bits");
                }

                v |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return v;
                }
            }

            throw new PayloadException(start, field + " varint exceeds 64 bits");
        }

        /// <summary>A varint that must fit the given inclusive range.</summary>
        public long ReadVarint(string field, long min, long max)
        {
            int start = Position;
            ulong v = ReadVarint(field);
            if (v > (ulong)max || (long)v < min)
            {
                throw new PayloadException(start, field + " " + v.ToString() + " outside " + min.ToString() + ".." + max.ToString());
            }

            return (long)v;
        }
    }
}
