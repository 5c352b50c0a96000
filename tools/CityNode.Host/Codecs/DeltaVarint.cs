namespace CityNode.Host.Codecs;

/// <summary>
/// The common hand-rolled baseline: per channel the first value, then each delta, zigzag-mapped
/// and written as LEB128 varints; timestamps the same way. At least one byte per reading even
/// when nothing changed. A presence bitmap (1 bit per reading) is added only when a batch has
/// missing values.
/// </summary>
public static class DeltaVarint
{
    public static int EncodedBytes(long[] times, int n, long[][] steps, bool[][] present)
    {
        int bytes = Varint((ulong)times[0]);
        for (int i = 1; i < n; i++)
        {
            bytes += Varint(ZigZag(times[i] - times[i - 1]));
        }

        bool anyMissing = present.Any(p => p.Take(n).Any(x => !x));
        if (anyMissing)
        {
            bytes += (n * steps.Length + 7) / 8;
        }

        for (int c = 0; c < steps.Length; c++)
        {
            long prev = 0;
            for (int i = 0; i < n; i++)
            {
                if (!present[c][i])
                {
                    continue;
                }

                bytes += Varint(ZigZag(steps[c][i] - prev));
                prev = steps[c][i];
            }
        }

        return bytes;
    }

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    private static int Varint(ulong v)
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
