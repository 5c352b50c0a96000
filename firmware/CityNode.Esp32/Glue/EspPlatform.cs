using System;
using CityNode.Config;
using CityNode.Hal;
using nanoFramework.Hardware.Esp32;

namespace CityNode.Esp32.Glue
{
    /// <summary>INodePlatform and ISleeper with nanoFramework.Hardware.Esp32 (Sleep) and Runtime.Native (GC, Power).</summary>
    internal sealed class EspPlatform : INodePlatform, ISleeper
    {
        // GC.Run forces a collection: read the free heap at most this often (it goes in every batch's diagnostics).
        private const int HeapReadIntervalMs = 3600 * 1000;
        private readonly IAdc _adc;
        private readonly BoardProfile _board;
        private readonly EspUplink _uplink;
        private long _heapReadAt = long.MinValue;
        private int _freeHeap;

        public EspPlatform(IAdc adc, BoardProfile board, EspUplink uplink)
        {
            _adc = adc;
            _board = board;
            _uplink = uplink;
            WakeupCause = (int)Sleep.GetWakeupCause();
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
                long now = Environment.TickCount64;
                if (now - _heapReadAt >= HeapReadIntervalMs)
                {
                    _freeHeap = (int)nanoFramework.Runtime.Native.GC.Run(false);
                    _heapReadAt = now;
                }

                return _freeHeap;
            }
        }

        // The managed API tells the wake-up cause, not the reset reason: a timer wake is our deep
        // sleep, anything else a power-on; crashes are counted by NodeLoop itself.
        public ResetCause ResetCause => WakeupCause == (int)Sleep.WakeupCause.Timer ? ResetCause.DeepSleepWake : ResetCause.PowerOn;

        public int WakeupCause { get; private set; }

        public bool RadioStaysOnUntilReset => true;

        public bool RadioReady => _uplink.RadioThisBoot;

        // ESP-IDF 5 light-sleeps with Wi-Fi started too (the RF is powered down meanwhile); a plain wait
        // only if the chip refuses the timer or the sleep.
        public void LightSleep(int ms) => Nap(ms);

        public static void Nap(int ms)
        {
            if (Sleep.EnableWakeupByTimer(TimeSpan.FromMilliseconds(ms)) != EspNativeError.OK || Sleep.StartLightSleep() != EspNativeError.OK)
            {
                System.Threading.Thread.Sleep(ms);
            }
        }

        public void DeepSleep(int ms, bool radioAtWake)
        {
            _uplink.RadioAtNextBoot(radioAtWake);
            DeepSleepNow(ms);
        }

        public void Reboot() => nanoFramework.Runtime.Native.Power.RebootDevice();

        /// <summary>Deep sleep with a timer wake-up: does not return (the wake is a reset).</summary>
        public static void DeepSleepNow(int ms)
        {
            Sleep.EnableWakeupByTimer(TimeSpan.FromMilliseconds(ms));
            Sleep.StartDeepSleep();
        }
    }
}
