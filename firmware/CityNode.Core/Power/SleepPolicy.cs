using CityNode.Hal;

namespace CityNode.Power
{
    /// <summary>
    /// Chooses how to sleep until the next wake: light sleep keeps RAM and wakes instantly, deep
    /// sleep draws ~80× less but costs a CLR boot on wake. The cheaper one for the interval wins
    /// (see <see cref="PowerProfile.DeepSleepBreakEvenMs"/>), unless the configuration forces one.
    /// With a low battery the sample interval is stretched (<see cref="Stretch"/>).
    /// </summary>
    public static class SleepPolicy
    {
        public static SleepKind Choose(long sleepMs, PowerProfile power, string configured)
        {
            if (configured == "light")
            {
                return SleepKind.Light;
            }

            if (configured == "deep")
            {
                return SleepKind.Deep;
            }

            return sleepMs > power.DeepSleepBreakEvenMs ? SleepKind.Deep : SleepKind.Light;
        }

        /// <summary>
        /// The interval to use at this battery voltage: unchanged above the low-battery threshold,
        /// doubled below it, quadrupled 200 mV further down (the node keeps reporting, less often,
        /// instead of dying mid-outage). 0 mV means the board cannot measure: unchanged.
        /// </summary>
        public static int Stretch(int intervalSeconds, int batteryMillivolts, int lowBatteryMillivolts)
        {
            if (batteryMillivolts <= 0 || batteryMillivolts >= lowBatteryMillivolts)
            {
                return intervalSeconds;
            }

            return batteryMillivolts >= lowBatteryMillivolts - 200 ? intervalSeconds * 2 : intervalSeconds * 4;
        }
    }
}
