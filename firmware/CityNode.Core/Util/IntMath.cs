namespace CityNode.Util
{
    /// <summary>
    /// The few integer helpers the node needs. nanoFramework's CoreLibrary has no System.Math
    /// (it is a separate package), and the node keeps to integer and fixed-point arithmetic anyway.
    /// </summary>
    public static class IntMath
    {
        public static int Min(int a, int b) { return a < b ? a : b; }

        public static int Max(int a, int b) { return a > b ? a : b; }

        public static long Min(long a, long b) { return a < b ? a : b; }

        public static long Max(long a, long b) { return a > b ? a : b; }

        public static long Abs(long a) { return a < 0 ? -a : a; }

        public static int Clamp(int v, int lo, int hi) { return v < lo ? lo : (v > hi ? hi : v); }

        public static long Clamp(long v, long lo, long hi) { return v < lo ? lo : (v > hi ? hi : v); }

        /// <summary>Number of significant bits: 0 for 0, 1 for 1, 2 for 2..3, ...</summary>
        public static int BitLength(ulong v)
        {
            int n = 0;
            if (v >= 1UL << 32) { v >>= 32; n += 32; }
            if (v >= 1UL << 16) { v >>= 16; n += 16; }
            if (v >= 1UL << 8) { v >>= 8; n += 8; }
            if (v >= 1UL << 4) { v >>= 4; n += 4; }
            while (v != 0) { v >>= 1; n++; }
            return n;
        }

        /// <summary>Zigzag maps signed to unsigned so small magnitudes of either sign stay small: 0,-1,1,-2 → 0,1,2,3.</summary>
        public static ulong ZigZag(long v)
        {
            return (ulong)((v << 1) ^ (v >> 63));
        }

        public static long UnZigZag(ulong v)
        {
            return (long)(v >> 1) ^ -(long)(v & 1);
        }

        /// <summary>Integer division rounding half away from zero (d &gt; 0).</summary>
        public static long DivRound(long n, long d)
        {
            return n >= 0 ? (n + d / 2) / d : -((-n + d / 2) / d);
        }

        /// <summary>10^e for 0 ≤ e ≤ 18.</summary>
        public static long Pow10(int e)
        {
            long r = 1;
            for (int i = 0; i < e; i++)
            {
                r *= 10;
            }

            return r;
        }
    }
}
