using System;
using System.Threading;
using CityNode.Hal;

namespace CityNode.Esp32.Glue
{
    /// <summary>RtcClock: the tick counter, the RTC that SNTP sets (WifiNetworkHelper with requiresDateTime), Thread.Sleep and light sleep.</summary>
    internal sealed class EspClock : RtcClock
    {
        private const long UnixEpochTicks = 621355968000000000L; // 1970-01-01 in 100 ns ticks

        public override long MonotonicMs => Environment.TickCount64;

        protected override long RtcUnixMs => (DateTime.UtcNow.Ticks - UnixEpochTicks) / 10000;

        public override void Doze(int milliseconds) => EspPlatform.Nap(milliseconds);

        protected override void Wait(int milliseconds) => Thread.Sleep(milliseconds);
    }
}
