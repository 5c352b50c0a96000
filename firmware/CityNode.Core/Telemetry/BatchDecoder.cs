using CityNode.Util;

namespace CityNode.Telemetry
{
    /// <summary>
    /// Decodes payloads written by <see cref="BatchEncoder"/>. Portable (it also runs on the device
    /// tests) and defensive, in the order of checks of docs/payload.md: size, magic and version (they
    /// say how to read the rest, the CRC's place included), then the CRC before any other field is
    /// believed; every count is
    /// checked against the format's limits and against the payload length, and any problem is a
    /// <see cref="PayloadException"/> naming the byte offset. Memory: the caller's
    /// <see cref="SampleBatch"/>, whose size the header announces and <see cref="ReadHeader"/> bounds
    /// (at most <see cref="PayloadFormat.MaxReadingsPerByte"/> readings per payload byte).
    /// </summary>
    public sealed class BatchDecoder
    {
        /// <summary>Payloads above this size are refused before any work.</summary>
        public const int MaxPayloadBytes = 1 << 20;

        private readonly ByteReader _reader = new ByteReader();
        private readonly BodyCoder _body = new BodyCoder();

        public BatchDecoder()
        {
            Header = new BatchHeader();
            Diagnostics = new NodeDiagnostics();
        }

        public BatchHeader Header { get; private set; }

        public NodeDiagnostics Diagnostics { get; private set; }

        /// <summary>Checks size, magic, version and CRC, then reads and validates the header and diagnostics.</summary>
        public BatchHeader ReadHeader(byte[] data, int offset, int count)
        {
            if (count > MaxPayloadBytes)
            {
                throw new PayloadException(0, "oversized: " + count.ToString() + " bytes, limit " + MaxPayloadBytes.ToString());
            }

            if (count < 1)
            {
                throw new PayloadException(0, "truncated: 0 bytes, a payload has at least " + PayloadFormat.MinSize.ToString());
            }

            byte magic = data[offset];
            if ((magic & 0xF0) != PayloadFormat.Magic)
            {
                throw new PayloadException(0, "not a CityNode payload (first byte 0x" + magic.ToString("X2") + ")");
            }

            if ((magic & 0x0F) != PayloadFormat.Version)
            {
                throw new PayloadException(0, "unknown version " + (magic & 0x0F).ToString() + " (this decoder reads version " + PayloadFormat.Version.ToString() + ")");
            }

            if (count < PayloadFormat.MinSize)
            {
                throw new PayloadException(count, "truncated: " + count.ToString() + " bytes, a payload has at least " + PayloadFormat.MinSize.ToString());
            }

            int crcAt = offset + count - PayloadFormat.CrcSize;
            uint stored = LittleEndian.ReadUInt32(data, crcAt);
            uint actual = Crc32C.Compute(data, offset, count - PayloadFormat.CrcSize);
            if (stored != actual)
            {
                throw new PayloadException(count - PayloadFormat.CrcSize, "CRC mismatch (stored 0x" + stored.ToString("X8") + ", computed 0x" + actual.ToString("X8") + "): corrupted or truncated");
            }

            ByteReader r = _reader;
            r.Reset(data, offset, count - PayloadFormat.CrcSize);
            BatchHeader h = Header;
            r.ReadByte("magic");
            h.Version = PayloadFormat.Version;
            int flagsAt = r.Position - offset;
            int flags = r.ReadByte("flags");
            if ((flags & ~PayloadFormat.KnownFlags) != 0)
            {
                throw new PayloadException(flagsAt, "unknown flags 0x" + flags.ToString("X2"));
            }

            h.Flags = flags;
            h.NodeId = (uint)r.ReadVarint("node id", 1, uint.MaxValue);
            h.Sequence = (uint)r.ReadVarint("sequence", 0, uint.MaxValue);
            h.BaseTime = r.ReadUInt32("base time");
            int countAt = r.Position - offset;
            h.Count = (int)r.ReadVarint("sample count", 1, PayloadFormat.MaxSamples);
            h.Interval = r.ReadVarint("interval", 0, PayloadFormat.MaxTime);
            int channelsAt = r.Position - offset;
            int channels = r.ReadByte("channel count");
            if (channels < 1 || channels > PayloadFormat.MaxChannels)
            {
                throw new PayloadException(channelsAt, "channel count " + channels.ToString() + " outside 1.." + PayloadFormat.MaxChannels.ToString());
            }

            long readings = (long)h.Count * channels;
            if (readings > PayloadFormat.MaxReadings || readings > (long)count * PayloadFormat.MaxReadingsPerByte)
            {
                throw new PayloadException(countAt, "sample count " + h.Count.ToString() + " x " + channels.ToString() + " channels is more than a payload of " + count.ToString() + " bytes can hold");
            }

            h.ChannelCount = channels;
            for (int c = 0; c < channels; c++)
            {
                int id = r.ReadByte("channel id");
                int codeAt = r.Position - offset;
                byte code = r.ReadByte("channel resolution");
                int unit = Channels.CanonicalUnit(id);
                if ((code & PayloadFormat.ExplicitUnitBit) != 0)
                {
                    code = (byte)(code & ~PayloadFormat.ExplicitUnitBit);
                    unit = r.ReadByte("channel unit");
                }

                int mantissa;
                int exponent;
                if (code == Resolution.ExplicitCode)
                {
                    mantissa = (int)r.ReadVarint("resolution mantissa", 1, 1000000);
                    // Range-checked before narrowing: a huge varint must not wrap into -6..9.
                    ulong zigzag = r.ReadVarint("resolution exponent");
                    exponent = zigzag > 64 ? int.MaxValue : (int)IntMath.UnZigZag(zigzag);
                }
                else if (!Resolution.TryDecode(code, out mantissa, out exponent))
                {
                    throw new PayloadException(codeAt, "channel " + c.ToString() + ": unknown resolution code " + code.ToString());
                }

                if (!Resolution.IsValid(mantissa, exponent))
                {
                    throw new PayloadException(codeAt, "channel " + c.ToString() + ": resolution out of range");
                }

                h.Channels[c].Set(id, unit, mantissa, exponent);
            }

            Diagnostics.Clear();
            if (h.HasDiagnostics)
            {
                Diagnostics.Read(r);
            }

            h.BodyOffset = r.Position - offset;
            h.BodyEnd = count - PayloadFormat.CrcSize;
            return h;
        }

        /// <summary>Decodes a whole payload into <paramref name="into"/>, which must be large enough.</summary>
        public void Decode(byte[] data, int offset, int count, SampleBatch into)
        {
            BatchHeader h = ReadHeader(data, offset, count);
            if (into.Capacity < h.Count || into.MaxChannels < h.ChannelCount)
            {
                throw new PayloadException(0, "batch of " + h.Count.ToString() + " x " + h.ChannelCount.ToString() + " exceeds the decoder's buffer");
            }

            into.Count = h.Count;
            into.SetChannels(h.Channels, h.ChannelCount);
            long[] times = into.Times;
            times[0] = h.BaseTime;
            _body.BodyOffset = h.BodyOffset;
            BinaryCoder coder = _body.Coder;
            coder.StartDecode(data, offset + h.BodyOffset, h.BodyEnd - h.BodyOffset);
            _body.BeginBatch();
            h.GridTimes = false;
            h.SkipHint = 0;
            h.JitterHint = 0;
            if (h.Regular)
            {
                for (int i = 1; i < h.Count; i++)
                {
                    times[i] = times[i - 1] + h.Interval;
                    if (times[i] > PayloadFormat.MaxTime)
                    {
                        throw new PayloadException(h.BodyOffset, "regular timestamps run past 2106");
                    }
                }
            }
            else
            {
                _body.CodeTimes(times, h.Count, h.Interval, false, 0, 0);
                h.GridTimes = _body.LastGrid;
                h.SkipHint = _body.LastSkipHint;
                h.JitterHint = _body.LastJitterHint;
            }

            for (int c = 0; c < h.ChannelCount; c++)
            {
                _body.CodeChannel(c, into.Values, into.Status, into.Index(c, 0), h.Count, false, 0, 0);
                h.Predictors[c] = _body.LastPredictor;
                h.Hints[c] = _body.LastHint;
            }

            // The encoder trims trailing zero bytes, so the decoder may read up to 4 bytes of padding; more means garbage.
            if (coder.Overrun > 4)
            {
                throw new PayloadException(h.BodyEnd, "body ends early: coded data runs past the payload");
            }
        }

        /// <summary>Host helper: decodes into a batch sized to the payload.</summary>
        public SampleBatch DecodeNew(byte[] data, int offset, int count)
        {
            BatchHeader h = ReadHeader(data, offset, count);
            SampleBatch batch = new SampleBatch(h.Count, h.ChannelCount);
            Decode(data, offset, count, batch);
            return batch;
        }
    }
}
