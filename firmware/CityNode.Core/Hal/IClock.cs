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

        /// <summary>Blocks for the given time (driver processing delays, warm-up).</summary>
        void Delay(int milliseconds);
    }
}
