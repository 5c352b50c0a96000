namespace CityNode.Hal
{
    /// <summary>
    /// Time as the node sees it. Monotonic milliseconds for durations and protocol timing; wall-clock
    /// seconds (from SNTP on the device) for sample timestamps. In the simulation both are virtual,
    /// so a week of node life runs in seconds and Delay costs no real time.
    /// </summary>
    public interface IClock
    {
        /// <summary>Milliseconds since an arbitrary origin; never goes backwards within one boot.</summary>
        long MonotonicMs { get; }

        /// <summary>Seconds since 1970-01-01 UTC, or 0 when the wall clock is not yet set.</summary>
        long UnixSeconds { get; }

        /// <summary>Milliseconds since 1970-01-01 UTC (for scheduling wakes to the millisecond).</summary>
        long UnixMilliseconds { get; }

        /// <summary>
        /// Waits for the given time (sensor warm-up, conversion and processing delays). The device
        /// light-sleeps the CPU for waits long enough to be worth it; the energy model counts all
        /// of it as waiting, not as CPU time.
        /// </summary>
        void Delay(int milliseconds);

        /// <summary>Milliseconds spent in <see cref="Delay"/> since start (for the phase accounting).</summary>
        long WaitedMs { get; }

        /// <summary>
        /// Waits with nothing expected on any bus (a sensor's warm-up): the device light-sleeps through
        /// it (serial bytes that arrive meanwhile are lost). Not counted in <see cref="WaitedMs"/>.
        /// </summary>
        void Doze(int milliseconds);
    }
}
