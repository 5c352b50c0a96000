namespace CityNode.Hal
{
    /// <summary>
    /// IClock for a chip with a tick counter for intervals and an RTC for timestamps. The RTC is right
    /// once network time has set it and keeps running through deep sleep, but a power loss resets it:
    /// until it is set again (a year before 2021, WifiNetworkHelper's own test for "SNTP has set the
    /// clock") UnixSeconds is 0, as IClock requires. The platform supplies the two counters and the waits.
    /// </summary>
    public abstract class RtcClock : IClock
    {
        /// <summary>2021-01-01 in Unix milliseconds: an RTC before it has not been set.</summary>
        public const long ValidFromUnixMs = 1609459200000L;

        public abstract long MonotonicMs { get; }

        public bool IsSet
        {
            get { return RtcUnixMs >= ValidFromUnixMs; }
        }

        public long UnixSeconds
        {
            get { return IsSet ? RtcUnixMs / 1000 : 0; }
        }

        public long UnixMilliseconds
        {
            get { return IsSet ? RtcUnixMs : 0; }
        }

        public long WaitedMs { get; private set; }

        /// <summary>The RTC in milliseconds since 1970 (whatever it holds, set or not).</summary>
        protected abstract long RtcUnixMs { get; }

        public void Delay(int milliseconds)
        {
            WaitedMs += milliseconds;
            Wait(milliseconds);
        }

        public abstract void Doze(int milliseconds);

        /// <summary>A wait with the CPU awake (serial bytes keep arriving).</summary>
        protected abstract void Wait(int milliseconds);
    }
}
