using CityNode.Util;

namespace CityNode.Telemetry
{
    /// <summary>
    /// Codes a stream of prediction residuals (one channel's, or the timestamps') with adaptive
    /// binary contexts, close to the stream's entropy even in a 64-sample batch:
    /// <list type="bullet">
    /// <item>zero flag, in the context of the current zero run (0, 1, 2+): runs of unchanged values cost
    /// a few hundredths of a bit each, without a separate run-length mode;</item>
    /// <item>sign, in the context of the previous non-zero residual's sign (trends and oscillations);</item>
    /// <item>magnitude m = |r| ≥ 1 as Elias-gamma with adaptive bins: the exponent e = ⌊log2 m⌋ in unary,
    /// one context per position (primed from the encoder's hint k so that a batch need not learn the
    /// scale), the bit below the leading one in a context per e, the lower bits at 1/2.</item>
    /// </list>
    /// The same code encodes and decodes (<see cref="BinaryCoder.Bit"/> returns the coded bit).
    /// </summary>
    public sealed class ResidualModel
    {
        /// <summary>Largest exponent a residual may have (residuals of int32 values differ by less than 2^34).</summary>
        public const int MaxExponent = 40;

        private const int ZeroBase = 0;      // 3 contexts: zero run 0, 1, 2+
        private const int SignBase = 3;      // 3 contexts: previous sign none, +, -
        private const int ExpBase = 6;       // MaxExponent + 1 contexts
        private const int MantBase = ExpBase + MaxExponent + 1;
        private const int Size = MantBase + MaxExponent + 1;

        private readonly ContextSet _ctx = new ContextSet(Size);
        private int _zeroRun;
        private int _prevSign;

        /// <summary>Forgets everything and primes the exponent contexts around <paramref name="hint"/> (typical ⌊log2 |r|⌋ + 1, 0 = mostly zeros).</summary>
        public void Reset(int hint)
        {
            _ctx.Reset();
            _zeroRun = 0;
            _prevSign = 0;
            int typicalExponent = hint - 1;
            for (int i = 0; i <= MaxExponent; i++)
            {
                // "exponent > i" is likely below the typical exponent, unlikely above it.
                if (i < typicalExponent)
                {
                    _ctx.Prime(ExpBase + i, 60000, 2);
                }
                else if (i > typicalExponent)
                {
                    _ctx.Prime(ExpBase + i, 16000, 2);
                }
            }

            if (hint == 0)
            {
                _ctx.Prime(ZeroBase, 52000, 2);
                _ctx.Prime(ZeroBase + 1, 56000, 2);
                _ctx.Prime(ZeroBase + 2, 60000, 2);
            }
        }

        /// <summary>Codes one residual; returns it (decoded when the coder decodes).</summary>
        public long Code(BinaryCoder coder, long residual)
        {
            int zeroCtx = ZeroBase + (_zeroRun < 2 ? _zeroRun : 2);
            if (coder.Bit(_ctx, zeroCtx, residual == 0 ? 1 : 0) != 0)
            {
                if (_zeroRun < 2)
                {
                    _zeroRun++;
                }

                return 0;
            }

            _zeroRun = 0;
            int negative = coder.Bit(_ctx, SignBase + _prevSign, residual < 0 ? 1 : 0);
            _prevSign = negative != 0 ? 2 : 1;

            ulong m = (ulong)(residual < 0 ? -residual : residual);
            int e = coder.Decoding ? 0 : IntMath.BitLength(m) - 1;

            int exponent = 0;
            while (exponent < MaxExponent && coder.Bit(_ctx, ExpBase + exponent, exponent < e ? 1 : 0) != 0)
            {
                exponent++;
            }

            ulong magnitude = 1;
            if (exponent > 0)
            {
                int top = coder.Bit(_ctx, MantBase + exponent, (int)((m >> (exponent - 1)) & 1));
                magnitude = (magnitude << 1) | (uint)top;
                if (exponent > 1)
                {
                    magnitude = (magnitude << (exponent - 1)) | coder.DirectBits(m, exponent - 1);
                }
            }

            return negative != 0 ? -(long)magnitude : (long)magnitude;
        }

        /// <summary>The hint for a set of residuals: rounded mean bit length of the non-zero ones, 0 when most are zero.</summary>
        public static int Hint(long sumBitLength, int nonZero, int total)
        {
            if (nonZero * 2 < total || nonZero == 0)
            {
                return 0;
            }

            return (int)((sumBitLength + nonZero / 2) / nonZero);
        }
    }
}
