using System;
using CityNode.Config;

namespace CityNode.Hal
{
    /// <summary>
    /// INodePlatform and ISleeper for a chip whose radio is chosen at reset and stays until the next
    /// (the ESP32 under nanoFramework: no managed call stops Wi-Fi). The battery is read through the
    /// board profile's ADC channel and divider; the free heap at most hourly, because measuring it
    /// forces a full collection; a timer wake-up is the node's own deep sleep, anything else a
    /// power-on (crashes are counted by NodeLoop itself). Deep sleep first saves the radio choice of
    /// the next boot. The platform supplies the native calls.
    /// </summary>
    public abstract class ChipPlatform : INodePlatform, ISleeper
    {
        private const int HeapReadIntervalMs = 3600 * 1000;
        private readonly IAdc _adc;
        private readonly BoardProfile _board;
        private readonly SessionUplink _uplink;
        private readonly IClock _clock;
        private readonly int _timerCause;
        private long _heapReadAt;
        private bool _heapRead;
        private int _freeHeap;

        /// <param name="wakeupCause">The chip's wake-up cause code at this boot.</param>
        /// <param name="timerCause">The code of a timer wake-up.</param>
        protected ChipPlatform(IAdc adc, BoardProfile board, SessionUplink uplink, IClock clock, int wakeupCause, int timerCause)
        {
            _adc = adc;
            _board = board;
            _uplink = uplink;
            _clock = clock;
            WakeupCause = wakeupCause;
            _timerCause = timerCause;
        }

        public int BatteryMillivolts
        {
            get
            {
                int mv = _board.BatteryAdcChannel < 0 ? 0 : _adc.ReadMillivolts(_board.BatteryAdcChannel);
                return mv < 0 ? 0 : mv * _board.BatteryDivider;
            }
        }

        public int FreeHeapBytes
        {
            get
            {
                long now = _clock.MonotonicMs;
                if (!_heapRead || now - _heapReadAt >= HeapReadIntervalMs)
                {
                    _freeHeap = MeasureFreeHeap();
                    _heapReadAt = now;
                    _heapRead = true;
                }

                return _freeHeap;
            }
        }

        public ResetCause ResetCause
        {
            get { return WakeupCause == _timerCause ? ResetCause.DeepSleepWake : ResetCause.PowerOn; }
        }

        public int WakeupCause { get; private set; }

        public bool RadioStaysOnUntilReset
        {
            get { return true; }
        }

        public bool RadioReady
        {
            get { return _uplink.RadioThisBoot; }
        }

        /// <summary>
        /// Sets the clock from network time after a power loss. The radio is chosen at reset and stays
        /// until the next: a boot with it joins for the time, then restarts with it off (the RTC keeps
        /// the time over a reset); a boot without it restarts with it on. Does not return on the chip,
        /// except false when no time came (the node sleeps and tries again).
        /// </summary>
        public bool SetClock(int timeoutMs)
        {
            bool radio = _uplink.RadioThisBoot;
            bool set = radio && _uplink.SetClock(timeoutMs);
            _uplink.RadioAtNextBoot(!set);
            Console.WriteLine(set ? "clock: set; restarting with the radio off" : radio
                ? "clock: not set (no network time); sleeping, then trying again" : "clock: not set; restarting with Wi-Fi on to fetch the network time");
            if (set || !radio)
            {
                Reboot();
            }

            return false;
        }

        public abstract void LightSleep(int ms);

        public void DeepSleep(int ms, bool radioAtWake)
        {
            _uplink.RadioAtNextBoot(radioAtWake);
            DeepSleepNow(ms);
        }

        public abstract void Reboot();

        /// <summary>Deep sleep with a timer wake-up: does not return on the chip (the wake is a reset).</summary>
        public abstract void DeepSleepNow(int ms);

        /// <summary>Collects and returns the free managed heap in bytes.</summary>
        protected abstract int MeasureFreeHeap();
    }
}
