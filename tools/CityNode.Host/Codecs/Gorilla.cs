namespace CityNode.Host.Codecs;

/// <summary>
/// The Gorilla encoding (Pelkonen et al., "Gorilla: A Fast, Scalable, In-Memory Time Series
/// Database", VLDB 2015 §4.1): timestamps as delta-of-delta in the paper's prefix buckets
/// ('0', '10'+7, '110'+9, '1110'+12, '1111'+32 bits) and values as the XOR of consecutive IEEE
/// doubles with leading/trailing-zero windows. Used only as a baseline. For fairness to Gorilla
/// the timestamps of a batch are coded once, shared by every channel; a missing value repeats
/// the previous one (a single '0' bit).
/// </summary>
public static class Gorilla
{
    public static int EncodedBytes(long[] times, int n, double[][] channels)
    {
        var w = new BitWriter();
        w.Write((ulong)times[0], 32);
        long prevDelta = 0;
        for (int i = 1; i < n; i++)
        {
            long delta = times[i] - times[i - 1];
            long dod = i == 1 ? delta : delta - prevDelta;
            prevDelta = delta;
            if (i == 1)
            {
                w.Write((ulong)delta & 0x3FFF, 14);
            }
            else if (dod == 0)
            {
                w.Write(0, 1);
            }
            else if (dod >= -63 && dod <= 64)
            {
                w.Write(0b10, 2);
                w.Write((ulong)dod & 0x7F, 7);
            }
            else if (dod >= -255 && dod <= 256)
            {
                w.Write(0b110, 3);
                w.Write((ulong)dod & 0x1FF, 9);
            }
            else if (dod >= -2047 && dod <= 2048)
            {
                w.Write(0b1110, 4);
                w.Write((ulong)dod & 0xFFF, 12);
            }
            else
            {
                w.Write(0b1111, 4);
                w.Write((ulong)dod & 0xFFFFFFFF, 32);
            }
        }

        foreach (var values in channels)
        {
            double first = values.FirstOrDefault(v => !double.IsNaN(v));
            ulong prev = (ulong)BitConverter.DoubleToInt64Bits(first);
            w.Write(prev, 64);
            int prevLeading = -1;
            int prevTrailing = 0;
            for (int i = 1; i < n; i++)
            {
                double v = double.IsNaN(values[i]) ? BitConverter.Int64BitsToDouble((long)prev) : values[i];
                ulong cur = (ulong)BitConverter.DoubleToInt64Bits(v);
                ulong x = cur ^ prev;
                prev = cur;
                if (x == 0)
                {
                    w.Write(0, 1);
                    continue;
                }

                int leading = Math.Min(31, System.Numerics.BitOperations.LeadingZeroCount(x));
                int trailing = System.Numerics.BitOperations.TrailingZeroCount(x);
                if (prevLeading >= 0 && leading >= prevLeading && trailing >= prevTrailing)
                {
                    w.Write(0b10, 2);
                    int meaningful = 64 - prevLeading - prevTrailing;
                    w.Write(x >> prevTrailing, meaningful);
                }
                else
                {
                    w.Write(0b11, 2);
                    int meaningful = 64 - leading - trailing;
                    w.Write((ulong)leading, 5);
                    w.Write((ulong)(meaningful == 64 ? 0 : meaningful), 6);
                    w.Write(x >> trailing, meaningful);
                    prevLeading = leading;
                    prevTrailing = trailing;
                }
            }
        }

        return w.Bytes;
    }
}
