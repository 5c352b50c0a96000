namespace CityNode.Drivers.Bmxx80
{
    /// <summary>The bindings' double results as the micro-units IBmxx80Port hands out, the same on the device and the host.</summary>
    public static class Bmxx80Units
    {
        /// <summary>Rounds half away from zero; NaN, infinities and absurd values give long.MinValue, which the sampler marks invalid.</summary>
        public static long Micro(double value)
        {
            if (!(value > -1e9 && value < 1e9))
            {
                return long.MinValue;
            }

            double scaled = value * 1000000;
            return (long)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
        }
    }
}
