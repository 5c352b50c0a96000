using System;
using System.Threading;
using CityNode.Hal;
using CityNode.Storage;

namespace CityNode.Node
{
    /// <summary>
    /// The device's main loop, short enough to read as the node's life: wake, sample, buffer,
    /// maybe publish, sleep — and restart on request or after a crash (counted in flash: three in
    /// a row soon after boot start safe mode). ESP32 nanoFramework has no managed watchdog, so a
    /// timer checks that a cycle ends within <see cref="WatchdogMs"/>.
    /// </summary>
    public sealed class NodeLoop
    {
        public const int WatchdogMs = 10 * 60 * 1000;

        private readonly NodeRuntime _node;
        private readonly ISleeper _sleeper;
        private readonly CrashCounter _crashes;
        private readonly IClock _clock;
        private long _heartbeat;

        public NodeLoop(NodeRuntime node, ISleeper sleeper, CrashCounter crashes, IClock clock)
        {
            _node = node;
            _sleeper = sleeper;
            _crashes = crashes;
            _clock = clock;
        }

        public void Run(int bootMs)
        {
            _heartbeat = _clock.MonotonicMs;
            Timer watchdog = new Timer(Watchdog, null, WatchdogMs, WatchdogMs);
            try
            {
                _node.Boot(bootMs);
                while (true)
                {
                    CycleOutcome o = _node.RunCycle();
                    _heartbeat = _clock.MonotonicMs;
                    if (o.RestartRequested)
                    {
                        watchdog.Dispose();
                        _sleeper.Reboot(); // a remote config changed drivers or buffers
                        return; // not reached on the chip
                    }

                    if (o.Sleep == SleepKind.Deep)
                    {
                        watchdog.Dispose();
                        _sleeper.DeepSleep(o.SleepMs, o.ConnectAtWake); // flash holds everything the reset loses
                        return; // not reached on the chip
                    }

                    _sleeper.LightSleep(o.SleepMs);
                    _heartbeat = _clock.MonotonicMs; // a long light sleep is not a hang
                    _node.Slept(SleepKind.Light, o.SleepMs);
                }
            }
            catch (Exception e)
            {
                Console.WriteLine("crash: " + e.Message);
                _crashes.Mark();
                watchdog.Dispose();
                _sleeper.Reboot();
            }
        }

        private void Watchdog(object state)
        {
            if (_clock.MonotonicMs - _heartbeat > WatchdogMs)
            {
                _crashes.Mark();
                _sleeper.Reboot();
            }
        }
    }
}
