using System;

namespace CityNode.Telemetry
{
    /// <summary>Writer over a preallocated buffer; throws rather than grows.</summary>
    public sealed class ByteWriter
    {
        private byte[] _data;

        public ByteWriter(byte[] buffer)
        {
            _data = buffer;
        }

        public byte[] Data { get { return _data; } }

        public int Position { get; set; }

        public void Reset(byte[] buffer, int position)
        {
            _data = buffer;
            Position = position;
        }

        public void WriteByte(int v)
        {
            if (Position >= _data.Length)
            {
                throw new InvalidOperationException("payload buffer full");
            }

            _data[Position++] = (byte)v;
        }

        public void WriteUInt32(uint v)
        {
            WriteByte((int)(v & 0xFF));
            WriteByte((int)((v >> 8) & 0xFF));
            WriteByte((int)((v >> 16) & 0xFF));
            WriteByte((int)(v >> 24));
        }

        public void WriteVarint(ulong v)
        {
            while (v >= 0x80)
            {
                WriteByte((int)(v & 0x7F) | 0x80);
                v >>= 7;
            }

            WriteByte((int)v);
        }

        /// <summary>Bytes a varint of this value takes.</summary>
        public static int VarintSize(ulong v)
        {
            int n = 1;
            while (v >= 0x80)
            {
                v >>= 7;
                n++;
            }

            return n;
        }
    }
}
