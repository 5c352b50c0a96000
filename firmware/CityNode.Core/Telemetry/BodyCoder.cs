using CityNode.Util;

namespace CityNode.Telemetry
{
    /// <summary>
    /// The range-coded body of a batch: timestamp residuals, then channel by channel a status mode,
    /// predictor, hint, first value and residuals. One code path for both directions: when
    /// encoding, the arrays are read; when decoding, they are filled. Decoding checks every value it
    /// produces, so a hostile body ends in a <see cref="PayloadException"/>, never in a wrapped value.
    /// </summary>
    internal sealed class BodyCoder
    {
        private const int StatusNotOk = 0;     // 2 contexts: after ok, after not ok
        private const int StatusMissing = 2;
        private const int StatusFault = 3;

        // Side information, shared by all channels of a batch: most channels choose alike.
        private const int SideFlagged = 0;
        private const int SideNotDelta = 1;
        private const int SideLinear = 2;
        private const int SideHintZero = 3;

        /// <summary>Largest grid point a decoder accepts (docs/payload.md, Timestamps).</summary>
        private const long MaxGridPoint = 1L << 33;

        private readonly ResidualModel _model = new ResidualModel();
        private readonly ResidualModel _jitter = new ResidualModel();
        private readonly ContextSet _status = new ContextSet(4);
        private readonly ContextSet _side = new ContextSet(4);

        public BinaryCoder Coder { get; private set; }

        /// <summary>Offset of the body in the payload, for error messages.</summary>
        public int BodyOffset { get; set; }

        /// <summary>What the last <see cref="CodeTimes"/> coded: grid mode and the two hints.</summary>
        public bool LastGrid { get; private set; }

        public int LastSkipHint { get; private set; }

        public int LastJitterHint { get; private set; }

        /// <summary>What the last <see cref="CodeChannel"/> coded: predictor and hint.</summary>
        public int LastPredictor { get; private set; }

        public int LastHint { get; private set; }

        public BodyCoder()
        {
            Coder = new BinaryCoder();
        }

        /// <summary>Forgets the side information learnt from a previous batch.</summary>
        public void BeginBatch()
        {
            _side.Reset();
        }

        /// <summary>
        /// Codes times[1..n-1]. Each step from a reference is split into the intervals it skipped
        /// (q = round(Δ / interval) − 1: a missed sample is one small number, not a large residual)
        /// and the jitter left over, each with its own model. The reference is the previous
        /// timestamp (<paramref name="grid"/> false: a free-running clock that drifts) or the previous
        /// grid point t0 + k · interval (<paramref name="grid"/> true: a node that wakes on schedule and
        /// is late by a varying few seconds, so its offsets from the grid stay small).
        /// </summary>
        public void CodeTimes(long[] times, int n, long interval, bool grid, int skipHint, int jitterHint)
        {
            BinaryCoder coder = Coder;
            bool decoding = coder.Decoding;
            grid = coder.Direct(grid ? 1 : 0) != 0;
            skipHint = (int)coder.DirectBits((ulong)skipHint, PayloadFormat.HintBits);
            jitterHint = (int)coder.DirectBits((ulong)jitterHint, PayloadFormat.HintBits);
            LastGrid = grid;
            LastSkipHint = skipHint;
            LastJitterHint = jitterHint;
            _model.Reset(skipHint);
            _jitter.Reset(jitterHint);
            long reference = times[0];
            for (int i = 1; i < n; i++)
            {
                long skipped = 0;
                long jitter = 0;
                if (!decoding)
                {
                    SplitStep(times[i] - reference, interval, out skipped, out jitter);
                }

                skipped = _model.Code(coder, skipped);
                jitter = _jitter.Code(coder, jitter);
                if (decoding && (skipped < -1 || skipped > PayloadFormat.MaxTime
                    || (interval > 0 && skipped + 1 > (MaxGridPoint - reference) / interval)))
                {
                    // A grid point past 2^33 is never written (it is at most half an interval past a
                    // timestamp); refusing it keeps every step within 64-bit arithmetic.
                    throw new PayloadException(BodyOffset, "timestamp of sample " + i.ToString() + " out of range");
                }

                long gridPoint = reference + ((skipped + 1) * interval);
                long t = gridPoint + jitter;
                if (decoding)
                {
                    if (t < 0 || t > PayloadFormat.MaxTime)
                    {
                        throw new PayloadException(BodyOffset, "timestamp of sample " + i.ToString() + " out of range");
                    }

                    times[i] = t;
                }

                reference = grid ? gridPoint : t;
            }
        }

        /// <summary>Splits a step from the reference into skipped intervals and jitter (interval 0: everything is jitter).</summary>
        public static void SplitStep(long dt, long interval, out long skipped, out long jitter)
        {
            if (interval <= 0)
            {
                skipped = 0;
                jitter = dt;
                return;
            }

            skipped = IntMath.DivRound(dt, interval) - 1;
            if (skipped < -1)
            {
                skipped = -1;
            }

            jitter = dt - ((skipped + 1) * interval);
        }

        /// <summary>Codes one channel's statuses and values (channel-major slice starting at <paramref name="offset"/>).</summary>
        public void CodeChannel(int channel, int[] values, byte[] status, int offset, int n, bool anyNotOk, int predictor, int hint)
        {
            BinaryCoder coder = Coder;
            bool decoding = coder.Decoding;
            _status.Reset();
            bool flagged = coder.Bit(_side, SideFlagged, anyNotOk ? 1 : 0) != 0;
            if (coder.Bit(_side, SideNotDelta, predictor != PayloadFormat.PredictDelta ? 1 : 0) == 0)
            {
                predictor = PayloadFormat.PredictDelta;
            }
            else
            {
                predictor = coder.Bit(_side, SideLinear, predictor == PayloadFormat.PredictLinear ? 1 : 0) != 0 ? PayloadFormat.PredictLinear : PayloadFormat.PredictDamped;
            }

            if (coder.Bit(_side, SideHintZero, hint == 0 ? 1 : 0) != 0)
            {
                hint = 0;
            }
            else
            {
                hint = 1 + (int)coder.DirectBits((ulong)(hint - 1), PayloadFormat.HintBits - 1);
            }

            LastPredictor = predictor;
            LastHint = hint;
            _model.Reset(hint);
            int valid = 0;
            long x1 = 0;
            long x2 = 0;
            int prevNotOk = 0;
            for (int i = 0; i < n; i++)
            {
                int at = offset + i;
                byte st = ReadingStatus.Ok;
                if (flagged)
                {
                    st = CodeStatus(decoding ? ReadingStatus.Ok : status[at], prevNotOk);
                    prevNotOk = st != ReadingStatus.Ok ? 1 : 0;
                }

                if (decoding)
                {
                    status[at] = st;
                    values[at] = 0;
                }

                if (st != ReadingStatus.Ok)
                {
                    continue;
                }

                long v;
                if (valid == 0)
                {
                    v = CodeFirst(decoding ? 0 : values[at]);
                }
                else
                {
                    long p = Predict(predictor, x1, x2, valid);
                    v = p + _model.Code(coder, decoding ? 0 : values[at] - p);
                }

                if (decoding)
                {
                    if (v > int.MaxValue || v < int.MinValue)
                    {
                        throw new PayloadException(BodyOffset, "channel " + channel.ToString() + " sample " + i.ToString() + ": value out of range");
                    }

                    values[at] = (int)v;
                }

                x2 = x1;
                x1 = v;
                valid++;
            }
        }

        /// <summary>The prediction of the next value from the last two valid ones.</summary>
        public static long Predict(int predictor, long x1, long x2, int valid)
        {
            if (valid < 2 || predictor == PayloadFormat.PredictDelta)
            {
                return x1;
            }

            if (predictor == PayloadFormat.PredictLinear)
            {
                return x1 + x1 - x2;
            }

            // Damped trend: half the last step, for signals that drift but overshoot under linear prediction.
            return x1 + ((x1 - x2) >> 1);
        }

        private byte CodeStatus(byte st, int prevNotOk)
        {
            BinaryCoder coder = Coder;
            if (coder.Bit(_status, StatusNotOk + prevNotOk, st != ReadingStatus.Ok ? 1 : 0) == 0)
            {
                return ReadingStatus.Ok;
            }

            if (coder.Bit(_status, StatusMissing, st == ReadingStatus.Missing ? 1 : 0) != 0)
            {
                return ReadingStatus.Missing;
            }

            return coder.Bit(_status, StatusFault, st == ReadingStatus.Fault ? 1 : 0) != 0 ? ReadingStatus.Fault : ReadingStatus.Invalid;
        }

        /// <summary>A channel's first value: 6-bit length of its zigzag form, then the bits below the leading one.</summary>
        private long CodeFirst(long value)
        {
            BinaryCoder coder = Coder;
            ulong z = IntMath.ZigZag(value);
            int len = (int)coder.DirectBits((ulong)IntMath.BitLength(z), 6);
            if (len > 33)
            {
                throw new PayloadException(BodyOffset, "first value longer than 33 bits");
            }

            if (len == 0)
            {
                return 0;
            }

            ulong bits = (1UL << (len - 1)) | coder.DirectBits(z, len - 1);
            return IntMath.UnZigZag(bits);
        }
    }
}
