namespace CityNode.Power
{
    /// <summary>
    /// Charge and battery life from where the time went (docs/energy.md). Integer arithmetic in
    /// µA·ms; portable, so a node could estimate its own life from its own counters.
    /// </summary>
    public static class EnergyModel
    {
        /// <summary>Charge in µA·ms for the phases, with the board's currents.</summary>
        public static long Charge(PowerProfile p, PhaseTimes t)
        {
            return (t.BootMs * p.ActiveMicroamps)
                + (t.ActiveMs * p.ActiveMicroamps)
                + (t.WaitMs * p.IdleMicroamps) // the device waits in Thread.Sleep: CPU idle, not light sleep
                + (t.RadioMs * p.RadioMicroamps)
                + (t.LightSleepMs * p.LightSleepMicroamps)
                + (t.DeepSleepMs * p.DeepSleepMicroamps)
                + t.SensorMicroampMs;
        }

        /// <summary>Average current in µA over the phases' total time.</summary>
        public static long AverageMicroamps(PowerProfile p, PhaseTimes t)
        {
            long total = t.TotalMs;
            return total == 0 ? 0 : Charge(p, t) / total;
        }

        /// <summary>Days a battery of <paramref name="milliampHours"/> lasts at an average current.</summary>
        public static long Days(int milliampHours, long averageMicroamps)
        {
            return averageMicroamps <= 0 ? long.MaxValue : ((long)milliampHours * 1000) / averageMicroamps / 24;
        }

        /// <summary>The cheaper sleep for an interval: light sleep, or deep sleep plus a CLR boot.</summary>
        public static long SleepFloor(PowerProfile p, long sleepMs)
        {
            long light = sleepMs * p.LightSleepMicroamps;
            long deep = (sleepMs * p.DeepSleepMicroamps) + ((long)p.BootMs * p.ActiveMicroamps);
            return light < deep ? light : deep;
        }
    }
}
