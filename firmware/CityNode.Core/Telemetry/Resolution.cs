using CityNode.Util;

namespace CityNode.Telemetry
{
    /// <summary>
    /// The step a channel is quantised to: mantissa × 10^exponent (0.01 °C, 1 Pa, 0.5 NTU, ...).
    /// Values travel as integers in these steps. Drivers report micro-units (10^-6 of the channel's
    /// unit) and <see cref="FromMicro"/> rounds them to steps with integer arithmetic only.
    /// </summary>
    public static class Resolution
    {
        public const int MinExponent = -6;
        public const int MaxExponent = 9;

        /// <summary>Code that marks an explicit (non 1/2/5) resolution in a channel table.</summary>
        public const byte ExplicitCode = 0x7F;

        private static readonly int[] CompactMantissas = new int[] { 1, 2, 5 };

        /// <summary>True when mantissa × 10^exponent is a resolution the payload can carry.</summary>
        public static bool IsValid(int mantissa, int exponent)
        {
            return mantissa >= 1 && mantissa <= 1000000 && exponent >= MinExponent && exponent <= MaxExponent;
        }

        /// <summary>One-byte code for 1, 2 or 5 × 10^e, or <see cref="ExplicitCode"/>.</summary>
        public static byte Code(int mantissa, int exponent)
        {
            for (int i = 0; i < 3; i++)
            {
                if (CompactMantissas[i] == mantissa)
                {
                    return (byte)(((exponent - MinExponent) * 3) + i);
                }
            }

            return ExplicitCode;
        }

        /// <summary>Inverse of <see cref="Code"/> for compact codes; false for an unknown code.</summary>
        public static bool TryDecode(byte code, out int mantissa, out int exponent)
        {
            int e = (code / 3) + MinExponent;
            if (code == ExplicitCode || e > MaxExponent)
            {
                mantissa = 0;
                exponent = 0;
                return false;
            }

            mantissa = CompactMantissas[code % 3];
            exponent = e;
            return true;
        }

        /// <summary>Micro-units per step (exponent ≥ -6).</summary>
        public static long MicroPerStep(int mantissa, int exponent)
        {
            return mantissa * IntMath.Pow10(exponent - MinExponent);
        }

        /// <summary>
        /// Rounds a value in micro-units to steps. Returns false when the result does not fit an int
        /// (the reading is then flagged invalid, never wrapped).
        /// </summary>
        public static bool FromMicro(long micro, int mantissa, int exponent, out int steps)
        {
            long q = IntMath.DivRound(micro, MicroPerStep(mantissa, exponent));
            if (q > int.MaxValue || q < int.MinValue)
            {
                steps = 0;
                return false;
            }

            steps = (int)q;
            return true;
        }
    }
}
