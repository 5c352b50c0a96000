using System;
using System.Threading;
using CityNode.Hal;

namespace CityNode.Esp32.Glue
{
    /// <summary>
    /// IClock: the tick counter for intervals, the RTC for timestamps. The RTC is right once SNTP has
    /// set it (WifiNetworkHelper with requiresDateTime) and keeps running through deep sleep, but a
    /// power loss resets it: until it is set again UnixSeconds is 0, as IClock requires.
    /// </summary>
    internal sealed class EspClock : IClock
    {
        // WifiNetworkHelper's own test for "SNTP has set the clock" (DateTime.UtcNow.Year >= 2021).
        private const long ValidFromUnixMs = 1609459200000L; // 2021-01-01
        private const long UnixEpochTicks = 621355968000000000L; // 1970-01-01 in 100 ns ticks

        public long MonotonicMs => Environment.TickCount64;

        public bool IsSet => RtcUnixMs >= ValidFromUnixMs;

        public long UnixSeconds => IsSet ? RtcUnixMs / 1000 : 0;

        public long UnixMilliseconds => IsSet ? RtcUnixMs : 0;

        public long WaitedMs { get; private set; }

        public void Delay(int milliseconds)
        {
            WaitedMs += milliseconds;
            Thread.Sleep(milliseconds);
        }

        public void Doze(int milliseconds) => EspPlatform.Nap(milliseconds);

        private static long RtcUnixMs => (DateTime.UtcNow.Ticks - UnixEpochTicks) / 10000;
    }
}
