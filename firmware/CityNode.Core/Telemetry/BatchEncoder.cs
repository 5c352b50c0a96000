using System;
using CityNode.Util;

namespace CityNode.Telemetry
{
    /// <summary>
    /// Encodes a <see cref="SampleBatch"/> into a self-contained payload (docs/payload.md).
    ///
    /// Memory: fixed at construction — the output buffer, one residual model (~90 contexts, 270 bytes)
    /// and a scratch array of <c>maxSamples</c> longs for the median interval. Nothing is allocated
    /// per batch. Work: for each channel, three integer passes to pick the predictor and one coding
    /// pass (about 10 coded bits per reading, ~30 IL instructions each): roughly 1,000 IL instructions
    /// per reading, so a 64 × 8 batch costs about half a million, well under a second on the
    /// interpreter, once per publish.
    /// </summary>
    public sealed class BatchEncoder
    {
        private readonly byte[] _buffer;
        private readonly ByteWriter _writer;
        private readonly BodyCoder _body = new BodyCoder();
        private readonly long[] _scratch;

        public BatchEncoder(int maxPayloadBytes, int maxSamples)
        {
            _buffer = new byte[maxPayloadBytes];
            _writer = new ByteWriter(_buffer);
            _scratch = new long[maxSamples];
        }

        /// <summary>The encoded payload is <c>Buffer[0 .. length)</c> after <see cref="Encode"/>.</summary>
        public byte[] Buffer { get { return _buffer; } }

        /// <summary>An output size no batch of these dimensions can exceed (diagnostics included).</summary>
        public static int WorstCaseSize(int samples, int channels)
        {
            return 256 + (channels * 16) + (samples * (channels + 1) * 11);
        }

        /// <summary>Encodes the batch; returns the payload length.</summary>
        public int Encode(SampleBatch batch, uint nodeId, uint sequence, NodeDiagnostics diagnostics)
        {
            int n = batch.Count;
            int channels = batch.ChannelCount;
            if (n < 1 || n > _scratch.Length)
            {
                throw new ArgumentOutOfRangeException("batch", "sample count " + n.ToString() + " outside 1.." + _scratch.Length.ToString());
            }

            if (channels < 1 || channels > PayloadFormat.MaxChannels || n * channels > PayloadFormat.MaxReadings)
            {
                throw new ArgumentOutOfRangeException("batch", "channel count " + channels.ToString());
            }

            if (nodeId == 0)
            {
                throw new ArgumentOutOfRangeException("nodeId", "node id 0 is not a node (1..2^32-1)");
            }

            long[] times = batch.Times;
            for (int i = 0; i < n; i++)
            {
                if (times[i] < 0 || times[i] > PayloadFormat.MaxTime)
                {
                    throw new ArgumentOutOfRangeException("batch", "timestamp of sample " + i.ToString() + " outside 1970..2106");
                }
            }

            long interval = MedianInterval(times, n);
            bool regular = true;
            for (int i = 1; i < n && regular; i++)
            {
                regular = times[i] - times[i - 1] == interval;
            }

            ByteWriter w = _writer;
            w.Position = 0;
            w.WriteByte(PayloadFormat.Magic | PayloadFormat.Version);
            bool hasDiagnostics = diagnostics != null && !diagnostics.IsEmpty;
            w.WriteByte((hasDiagnostics ? PayloadFormat.FlagDiagnostics : 0) | (regular ? PayloadFormat.FlagRegular : 0));
            w.WriteVarint(nodeId);
            w.WriteVarint(sequence);
            w.WriteUInt32((uint)times[0]);
            w.WriteVarint((ulong)n);
            w.WriteVarint((ulong)interval);
            w.WriteByte(channels);
            for (int c = 0; c < channels; c++)
            {
                ChannelSpec spec = batch.Channels[c];
                if (spec.Id < 0 || spec.Id > 255 || spec.Unit < 0 || spec.Unit > 255 || !Resolution.IsValid(spec.Mantissa, spec.Exponent))
                {
                    throw new ArgumentOutOfRangeException("batch", "channel " + c.ToString() + ": bad id, unit or resolution");
                }

                // id, then the resolution code; its top bit says an explicit unit byte follows
                // (omitted when the unit is the id's canonical one).
                w.WriteByte(spec.Id);
                byte code = Resolution.Code(spec.Mantissa, spec.Exponent);
                bool explicitUnit = spec.Unit != Channels.CanonicalUnit(spec.Id);
                w.WriteByte(code | (explicitUnit ? PayloadFormat.ExplicitUnitBit : 0));
                if (explicitUnit)
                {
                    w.WriteByte(spec.Unit);
                }

                if (code == Resolution.ExplicitCode)
                {
                    w.WriteVarint((ulong)spec.Mantissa);
                    w.WriteVarint(IntMath.ZigZag(spec.Exponent));
                }
            }

            if (hasDiagnostics)
            {
                diagnostics.Write(w);
            }

            BinaryCoder coder = _body.Coder;
            coder.StartEncode(_buffer, w.Position, _buffer.Length - PayloadFormat.CrcSize);
            _body.BeginBatch();
            if (!regular)
            {
                int stepSkip;
                int stepJitter;
                int gridSkip;
                int gridJitter;
                long stepCost = TimeHints(times, n, interval, false, out stepSkip, out stepJitter);
                long gridCost = TimeHints(times, n, interval, true, out gridSkip, out gridJitter);
                bool grid = gridCost < stepCost;
                _body.CodeTimes(times, n, interval, grid, grid ? gridSkip : stepSkip, grid ? gridJitter : stepJitter);
            }

            for (int c = 0; c < channels; c++)
            {
                int offset = batch.Index(c, 0);
                bool anyNotOk = false;
                for (int i = 0; i < n && !anyNotOk; i++)
                {
                    anyNotOk = batch.Status[offset + i] != ReadingStatus.Ok;
                }

                int hint;
                int predictor = ChoosePredictor(batch.Values, batch.Status, offset, n, out hint);
                _body.CodeChannel(c, batch.Values, batch.Status, offset, n, anyNotOk, predictor, hint);
            }

            int end = coder.FinishEncode();
            if (end + PayloadFormat.CrcSize > _buffer.Length)
            {
                throw new InvalidOperationException("payload buffer full");
            }

            LittleEndian.WriteUInt32(_buffer, end, Crc32C.Compute(_buffer, 0, end));
            return end + PayloadFormat.CrcSize;
        }

        /// <summary>
        /// Picks the predictor whose residuals have the smallest Elias-gamma cost (a cheap stand-in
        /// for the coded size), and the hint for its residuals.
        /// </summary>
        private static int ChoosePredictor(int[] values, byte[] status, int offset, int n, out int hint)
        {
            int best = PayloadFormat.PredictDelta;
            long bestCost = long.MaxValue;
            hint = 0;
            for (int p = 0; p < PayloadFormat.PredictorCount; p++)
            {
                long sumBits;
                int nonZero;
                int total;
                long cost = ResidualCost(values, status, offset, n, p, out sumBits, out nonZero, out total);
                if (cost < bestCost)
                {
                    bestCost = cost;
                    best = p;
                    hint = ResidualModel.Hint(sumBits, nonZero, total);
                }
            }

            return best;
        }

        /// <summary>Elias-gamma cost of a channel's residuals under one predictor, with the figures the hint needs.</summary>
        private static long ResidualCost(int[] values, byte[] status, int offset, int n, int predictor, out long sumBits, out int nonZero, out int total)
        {
            long cost = 0;
            sumBits = 0;
            nonZero = 0;
            total = 0;
            int valid = 0;
            long x1 = 0;
            long x2 = 0;
            for (int i = 0; i < n; i++)
            {
                if (status[offset + i] != ReadingStatus.Ok)
                {
                    continue;
                }

                long v = values[offset + i];
                if (valid > 0)
                {
                    long r = v - BodyCoder.Predict(predictor, x1, x2, valid);
                    total++;
                    if (r == 0)
                    {
                        cost++;
                    }
                    else
                    {
                        int bits = IntMath.BitLength((ulong)(r < 0 ? -r : r));
                        cost += (2 * bits) + 1;
                        sumBits += bits;
                        nonZero++;
                    }
                }

                x2 = x1;
                x1 = v;
                valid++;
            }

            return cost;
        }

        /// <summary>Elias-gamma cost of the timestamps in one reference mode, and the hints for its two models.</summary>
        private static long TimeHints(long[] times, int n, long interval, bool grid, out int skipHint, out int jitterHint)
        {
            long cost = 0;
            long skipBits = 0;
            int skips = 0;
            long jitterBits = 0;
            int jitters = 0;
            long reference = times[0];
            for (int i = 1; i < n; i++)
            {
                long skipped;
                long jitter;
                BodyCoder.SplitStep(times[i] - reference, interval, out skipped, out jitter);
                reference = grid ? reference + ((skipped + 1) * interval) : times[i];
                if (skipped != 0)
                {
                    int bits = IntMath.BitLength((ulong)(skipped < 0 ? -skipped : skipped));
                    skips++;
                    skipBits += bits;
                    cost += (2 * bits) + 1;
                }

                if (jitter != 0)
                {
                    int bits = IntMath.BitLength((ulong)(jitter < 0 ? -jitter : jitter));
                    jitters++;
                    jitterBits += bits;
                    cost += (2 * bits) + 1;
                }

                cost += 2;
            }

            skipHint = ResidualModel.Hint(skipBits, skips, n - 1);
            jitterHint = ResidualModel.Hint(jitterBits, jitters, n - 1);
            return cost;
        }

        /// <summary>Median of the sample intervals (0 for a single sample or a clock running backwards).</summary>
        private long MedianInterval(long[] times, int n)
        {
            if (n < 2)
            {
                return 0;
            }

            long[] d = _scratch;
            int m = n - 1;
            for (int i = 0; i < m; i++)
            {
                d[i] = times[i + 1] - times[i];
            }

            long median = Select(d, m, m / 2);
            return median < 0 ? 0 : median;
        }

        /// <summary>Hoare's selection: the k-th smallest of d[0..count), reordering d.</summary>
        private static long Select(long[] d, int count, int k)
        {
            int lo = 0;
            int hi = count - 1;
            while (lo < hi)
            {
                long pivot = d[(lo + hi) >> 1];
                int i = lo;
                int j = hi;
                while (i <= j)
                {
                    while (d[i] < pivot)
                    {
                        i++;
                    }

                    while (d[j] > pivot)
                    {
                        j--;
                    }

                    if (i <= j)
                    {
                        long t = d[i];
                        d[i] = d[j];
                        d[j] = t;
                        i++;
                        j--;
                    }
                }

                if (k <= j)
                {
                    hi = j;
                }
                else if (k >= i)
                {
                    lo = i;
                }
                else
                {
                    break;
                }
            }

            return d[k];
        }
    }
}
