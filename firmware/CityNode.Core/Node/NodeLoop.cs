using System;
using System.Threading;
using CityNode.Hal;

namespace CityNode.Node
{
    /// <summary>
    /// The device's main loop: the <see cref="WakeSleepDriver"/> stepped until a deep sleep or a
    /// reboot resets the chip — and a reboot after a crash (counted in flash: three in a row soon
    /// after boot start safe mode). ESP32 nanoFramework has no managed watchdog, so a timer checks
    /// that a cycle ends within <see cref="WatchdogMs"/>; it stands in front of the platform's sleeper,
    /// so a long light sleep is not a hang and a reset does not leave it running.
    /// </summary>
    public sealed class NodeLoop : ISleeper
    {
        public const int WatchdogMs = 10 * 60 * 1000;

        private readonly WakeSleepDriver _driver;
        private readonly ISleeper _sleeper;
        private readonly IClock _clock;
        private Timer _watchdog;
        private long _heartbeat;

        public NodeLoop(WakeSleepDriver driver, ISleeper sleeper, IClock clock)
        {
            _driver = driver;
            _sleeper = sleeper;
            _clock = clock;
        }

        public void Run(int bootMs)
        {
            _heartbeat = _clock.MonotonicMs;
            _watchdog = new Timer(Watchdog, null, WatchdogMs, WatchdogMs);
            try
            {
                _driver.Boot(bootMs);
                while (true)
                {
                    _driver.Step(this); // on the chip a deep sleep or reboot does not return
                    _heartbeat = _clock.MonotonicMs;
                }
            }
            catch (Exception e)
            {
                Console.WriteLine("crash: " + e.Message);
                _driver.Crashed(this);
            }
        }

        public void LightSleep(int ms)
        {
            _heartbeat = _clock.MonotonicMs;
            _sleeper.LightSleep(ms);
            _heartbeat = _clock.MonotonicMs; // a long light sleep is not a hang
        }

        public void DeepSleep(int ms, bool radioAtWake)
        {
            _watchdog.Dispose();
            _sleeper.DeepSleep(ms, radioAtWake);
        }

        public void Reboot()
        {
            _watchdog.Dispose();
            _sleeper.Reboot();
        }

        private void Watchdog(object state)
        {
            if (_clock.MonotonicMs - _heartbeat > WatchdogMs)
            {
                _driver.Assembly.Crashes.Mark();
                _sleeper.Reboot();
            }
        }
    }
}
