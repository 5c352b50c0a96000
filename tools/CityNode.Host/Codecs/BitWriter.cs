namespace CityNode.Host.Codecs;

/// <summary>An MSB-first bit writer for the baseline codecs of the report.</summary>
public sealed class BitWriter
{
    private readonly List<byte> _bytes = new();
    private int _bitCount;

    public long Bits => _bitCount;

    public int Bytes => (_bitCount + 7) / 8;

    public void Write(ulong value, int bits)
    {
        for (int i = bits - 1; i >= 0; i--)
        {
            int byteIndex = _bitCount >> 3;
            if (byteIndex == _bytes.Count)
            {
                _bytes.Add(0);
            }

            if (((value >> i) & 1) != 0)
            {
                _bytes[byteIndex] |= (byte)(0x80 >> (_bitCount & 7));
            }

            _bitCount++;
        }
    }
}
