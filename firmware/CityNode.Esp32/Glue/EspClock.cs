using System;
using System.Threading;
using CityNode.Hal;

namespace CityNode.Esp32.Glue
{
    /// <summary>IClock: the tick counter for intervals, the RTC (set by SNTP when Wi-Fi connects) for timestamps.</summary>
    internal sealed class EspClock : IClock
    {
        public long MonotonicMs => Environment.TickCount64;

        public long UnixSeconds => DateTime.UtcNow.ToUnixTimeSeconds();

        public long UnixMilliseconds => (DateTime.UtcNow.Ticks - 621355968000000000L) / 10000; // ticks of 1970-01-01, 100 ns each

        public long WaitedMs { get; private set; }

        public void Delay(int milliseconds)
        {
            WaitedMs += milliseconds;
            Thread.Sleep(milliseconds);
        }
    }
}
