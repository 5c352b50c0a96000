using CityNode.Sensors;
using CityNode.Telemetry;
using CityNode.Util;

namespace CityNode.Buffering
{
    /// <summary>
    /// The ring's record coding (the format in <see cref="SampleRing"/>'s summary): a sample as
    /// nibbles relative to the one before it, written into the record buffer and read back from
    /// the ring in place, without allocating.
    /// </summary>
    public sealed partial class SampleRing
    {
        private int EncodeRecord(SampleFrame f, uint id)
        {
            _nibble = 0;
            long dt = f.Time - _head.Time;
            bool dtChanged = dt != _head.Dt;
            uint skipped = id - _head.Id - 1;
            bool allOk = true;
            for (int c = 0; c < _channels && allOk; c++)
            {
                allOk = f.Status[c] == ReadingStatus.Ok;
            }

            PutNibble((dtChanged ? 1 : 0) | (allOk ? 0 : 2) | (skipped != 0 ? 4 : 0));
            if (dtChanged)
            {
                PutVarint(IntMath.ZigZag(dt - _head.Dt));
            }

            if (skipped != 0)
            {
                PutVarint(skipped);
            }

            if (!allOk)
            {
                for (int c = 0; c < _channels; c += 2)
                {
                    int hi = c + 1 < _channels ? f.Status[c + 1] : 0;
                    PutNibble(f.Status[c] | (hi << 2));
                }
            }

            for (int c = 0; c < _channels; c++)
            {
                if (f.Status[c] == ReadingStatus.Ok)
                {
                    long basis = _head.HasLast[c] ? _head.Last[c] : 0;
                    PutVarint(IntMath.ZigZag(f.Values[c] - basis));
                }
            }

            return (_nibble + 1) / 2;
        }

        private void DecodeRecord(RingState s)
        {
            _readNibble = 0;
            int header = GetNibble();
            if ((header & 1) != 0)
            {
                s.Dt += IntMath.UnZigZag(GetVarint());
            }

            s.Time += s.Dt;
            s.Id++;
            if ((header & 4) != 0)
            {
                s.Id += (uint)GetVarint();
            }

            if ((header & 2) != 0)
            {
                for (int c = 0; c < _channels; c += 2)
                {
                    int v = GetNibble();
                    s.Status[c] = (byte)(v & 3);
                    if (c + 1 < _channels)
                    {
                        s.Status[c + 1] = (byte)(v >> 2);
                    }
                }
            }
            else
            {
                for (int c = 0; c < _channels; c++)
                {
                    s.Status[c] = ReadingStatus.Ok;
                }
            }

            for (int c = 0; c < _channels; c++)
            {
                if (s.Status[c] == ReadingStatus.Ok)
                {
                    long basis = s.HasLast[c] ? s.Last[c] : 0;
                    int v = (int)(basis + IntMath.UnZigZag(GetVarint()));
                    s.Values[c] = v;
                    s.Last[c] = v;
                    s.HasLast[c] = true;
                }
                else
                {
                    s.Values[c] = 0;
                }
            }

            // Records end on a byte boundary.
            if ((_readNibble & 1) != 0)
            {
                _readNibble++;
            }

            _readPos += _readNibble / 2;
        }

        private void PutNibble(int v)
        {
            int i = _nibble >> 1;
            if ((_nibble & 1) == 0)
            {
                _record[i] = (byte)(v & 0xF);
            }
            else
            {
                _record[i] = (byte)(_record[i] | ((v & 0xF) << 4));
            }

            _nibble++;
        }

        private void PutVarint(ulong v)
        {
            while (v >= (1UL << NibbleBits))
            {
                PutNibble((int)(v & 7) | 8);
                v >>= NibbleBits;
            }

            PutNibble((int)v);
        }

        private int GetNibble()
        {
            byte b = _buf[(_readPos + (_readNibble >> 1)) % _buf.Length];
            int v = (_readNibble & 1) == 0 ? b & 0xF : b >> 4;
            _readNibble++;
            return v;
        }

        private ulong GetVarint()
        {
            ulong v = 0;
            int shift = 0;
            while (true)
            {
                int n = GetNibble();
                v |= (ulong)(n & 7) << shift;
                if ((n & 8) == 0)
                {
                    return v;
                }

                shift += NibbleBits;
            }
        }
    }
}
