namespace CityNode.Telemetry
{
    /// <summary>
    /// Adaptive binary range coder, one class for both directions so that the encoder and the
    /// decoder share every modelling decision (see <see cref="ResidualModel"/>): each model step
    /// calls <see cref="Bit"/> with the bit it wants to write and gets back the bit that was coded —
    /// the same bit when encoding, the decoded bit when decoding.
    ///
    /// The range coder is the carry-propagating kind used by LZMA (32-bit range, renormalise a byte
    /// at a time below 2^24). Probabilities are 16-bit with a 12-bit view for coding; each context
    /// adapts with a count-based (Krichevsky–Trofimov) rate for its first 30 bits — fast learning
    /// matters because every batch starts from scratch — then with a fixed 1/32 rate so it follows
    /// the signal. Cost per bit on the device: about 30 IL instructions; no allocation, no division
    /// in the coding step.
    /// </summary>
    public sealed class BinaryCoder
    {
        private const uint TopValue = 1u << 24;
        private const int AdaptLimit = 30;
        private const int AdaptShift = 5;

        /// <summary>Coding probabilities are clamped to [1/1024, 1023/1024]: a context never becomes certain.</summary>
        private const int MinP12 = 4;
        private const int MaxP12 = 4096 - 4;

        private bool _decoding;

        // Encoder state.
        private ulong _low;
        private uint _range;
        private byte _cache;
        private long _cacheSize;
        private bool _skipFirst;

        // Decoder state.
        private uint _code;
        private int _overrun;

        private byte[] _buf;
        private int _pos;
        private int _end;
        private int _start;

        public bool Decoding { get { return _decoding; } }

        /// <summary>Bytes the decoder has read past the end of its input (zeros); a few are normal.</summary>
        public int Overrun { get { return _overrun; } }

        /// <summary>Current input/output position.</summary>
        public int Position { get { return _pos; } }

        public void StartEncode(byte[] buffer, int offset, int capacityEnd)
        {
            _decoding = false;
            _buf = buffer;
            _start = offset;
            _pos = offset;
            _end = capacityEnd;
            _low = 0;
            _range = 0xFFFFFFFFu;
            _cache = 0;
            _cacheSize = 1;
            _skipFirst = true;
        }

        /// <summary>
        /// Flushes the fewest bytes that pin the final interval (the decoder reads zeros past the end)
        /// and returns the end position. The decoder reads at most 4 bytes past that end.
        /// </summary>
        public int FinishEncode()
        {
            ulong last = _low + _range - 1;
            for (int zeroBytes = 4; zeroBytes >= 0; zeroBytes--)
            {
                ulong mask = zeroBytes == 0 ? 0UL : (1UL << (8 * zeroBytes)) - 1;
                ulong v = (_low + mask) & ~mask;
                if (v >= _low && v <= last)
                {
                    _low = v;
                    break;
                }
            }

            for (int i = 0; i < 5; i++)
            {
                ShiftLow();
            }

            // The decoder reads exactly as many bytes as were written here; it pads with zeros, so up
            // to 4 trailing zero bytes can be left out. Never more, so a decoder that needs more
            // padding than that knows the body was cut or forged.
            for (int i = 0; i < 4 && _pos > _start && _buf[_pos - 1] == 0; i++)
            {
                _pos--;
            }

            return _pos;
        }

        public void StartDecode(byte[] buffer, int offset, int count)
        {
            _decoding = true;
            _buf = buffer;
            _start = offset;
            _pos = offset;
            _end = offset + count;
            _overrun = 0;
            _range = 0xFFFFFFFFu;
            _code = 0;
            for (int i = 0; i < 4; i++)
            {
                _code = (_code << 8) | NextByte();
            }
        }

        /// <summary>Codes one bit with an adaptive context; returns the coded bit.</summary>
        public int Bit(ContextSet contexts, int ctx, int bit)
        {
            ushort[] probs = contexts.Probability;
            int p16 = probs[ctx];
            int p12 = p16 >> 4;
            if (p12 < MinP12)
            {
                p12 = MinP12;
            }
            else if (p12 > MaxP12)
            {
                p12 = MaxP12;
            }

            // p12 is the probability of a 1.
            uint bound = (_range >> 12) * (uint)p12;
            if (_decoding)
            {
                if (_code < bound)
                {
                    _range = bound;
                    bit = 1;
                }
                else
                {
                    _code -= bound;
                    _range -= bound;
                    bit = 0;
                }

                while (_range < TopValue)
                {
                    _range <<= 8;
                    _code = (_code << 8) | NextByte();
                }
            }
            else
            {
                if (bit != 0)
                {
                    _range = bound;
                }
                else
                {
                    _low += bound;
                    _range -= bound;
                }

                while (_range < TopValue)
                {
                    _range <<= 8;
                    ShiftLow();
                }
            }

            // Adapt towards the coded bit.
            byte[] counts = contexts.Count;
            int n = counts[ctx];
            int target = bit != 0 ? 65535 : 0;
            if (n < AdaptLimit)
            {
                p16 += (target - p16) / (n + 2);
                counts[ctx] = (byte)(n + 1);
            }
            else
            {
                p16 += (target - p16) >> AdaptShift;
            }

            probs[ctx] = (ushort)p16;
            return bit;
        }

        /// <summary>Codes one bit at probability 1/2 (no context).</summary>
        public int Direct(int bit)
        {
            _range >>= 1;
            if (_decoding)
            {
                if (_code >= _range)
                {
                    _code -= _range;
                    bit = 1;
                }
                else
                {
                    bit = 0;
                }

                while (_range < TopValue)
                {
                    _range <<= 8;
                    _code = (_code << 8) | NextByte();
                }
            }
            else
            {
                if (bit != 0)
                {
                    _low += _range;
                }

                while (_range < TopValue)
                {
                    _range <<= 8;
                    ShiftLow();
                }
            }

            return bit;
        }

        /// <summary>Codes the low <paramref name="count"/> bits of a value, most significant first.</summary>
        public ulong DirectBits(ulong value, int count)
        {
            ulong result = 0;
            for (int i = count - 1; i >= 0; i--)
            {
                result = (result << 1) | (uint)Direct((int)((value >> i) & 1));
            }

            return result;
        }

        private void ShiftLow()
        {
            if ((uint)_low < 0xFF000000u || (_low >> 32) != 0)
            {
                byte carry = (byte)(_low >> 32);
                byte temp = _cache;
                do
                {
                    if (_skipFirst)
                    {
                        // The first byte out of an LZMA-style coder is always 0; the decoder starts one byte later.
                        _skipFirst = false;
                    }
                    else
                    {
                        Emit((byte)(temp + carry));
                    }

                    temp = 0xFF;
                }
                while (--_cacheSize != 0);
                _cache = (byte)(_low >> 24);
            }

            _cacheSize++;
            _low = (_low & 0x00FFFFFFu) << 8;
        }

        private void Emit(byte b)
        {
            if (_pos >= _end)
            {
                throw new System.InvalidOperationException("payload buffer full");
            }

            _buf[_pos++] = b;
        }

        private uint NextByte()
        {
            if (_pos < _end)
            {
                return _buf[_pos++];
            }

            _overrun++;
            return 0;
        }
    }
}
