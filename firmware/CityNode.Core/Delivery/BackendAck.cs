namespace CityNode.Delivery
{
    /// <summary>
    /// The backend's acknowledgement of a node's batches (docs/reliability.md, "End-to-end
    /// acknowledgement"): the sequence numbers the receivers have durably stored, as ascending
    /// inclusive ranges in ASCII, <c>FROM-TO[,FROM-TO...]</c> (e.g. <c>1-523,530-612</c>), retained on
    /// <c>citynode/ID/ack</c>. At most <see cref="MaxRanges"/> ranges and <see cref="MaxBytes"/> bytes;
    /// anything else is refused whole (the node then keeps its batches: a bad ack never releases).
    /// Parsing allocates nothing.
    /// </summary>
    public sealed class BackendAck
    {
        public const int MaxRanges = 16;
        public const int MaxBytes = 256;

        private readonly uint[] _from = new uint[MaxRanges];
        private readonly uint[] _to = new uint[MaxRanges];

        /// <summary>Ranges of the last valid acknowledgement.</summary>
        public int Count { get; private set; }

        /// <summary>Parses an acknowledgement; false (and nothing covered) when it is malformed.</summary>
        public bool Parse(byte[] payload, int offset, int length)
        {
            Count = 0;
            if (length <= 0 || length > MaxBytes)
            {
                return false;
            }

            int i = offset;
            int end = offset + length;
            int n = 0;
            uint previous = 0;
            while (i < end)
            {
                uint from;
                uint to;
                if (n == MaxRanges || !Number(payload, ref i, end, out from) || i >= end || payload[i++] != (byte)'-' || !Number(payload, ref i, end, out to))
                {
                    return false;
                }

                if (from == 0 || to < from || (n > 0 && from <= previous))
                {
                    return false; // sequences start at 1; ranges ascend and do not overlap
                }

                _from[n] = from;
                _to[n] = to;
                previous = to;
                n++;
                if (i < end && (payload[i++] != (byte)',' || i == end))
                {
                    return false; // ranges are separated by one comma, with none after the last
                }
            }

            Count = n;
            return n > 0;
        }

        /// <summary>The backend has stored the batch with this sequence number.</summary>
        public bool Covers(uint sequence)
        {
            for (int r = 0; r < Count; r++)
            {
                if (sequence >= _from[r] && sequence <= _to[r])
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Number(byte[] b, ref int i, int end, out uint value)
        {
            value = 0;
            int start = i;
            while (i < end && b[i] >= (byte)'0' && b[i] <= (byte)'9')
            {
                long next = ((long)value * 10) + (b[i] - '0');
                if (next > uint.MaxValue)
                {
                    return false;
                }

                value = (uint)next;
                i++;
            }

            return i > start;
        }
    }
}
