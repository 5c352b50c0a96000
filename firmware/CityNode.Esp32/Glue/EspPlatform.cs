using System;
using CityNode.Config;
using CityNode.Hal;
using nanoFramework.Hardware.Esp32;
using nanoFramework.Runtime.Native;

namespace CityNode.Esp32.Glue
{
    /// <summary>INodePlatform and ISleeper with nanoFramework.Hardware.Esp32 (Sleep) and Runtime.Native (GC, Power).</summary>
    internal sealed class EspPlatform : INodePlatform, ISleeper
    {
        private readonly IAdc _adc;
        private readonly BoardProfile _board;

        public EspPlatform(IAdc adc, BoardProfile board)
        {
            _adc = adc;
            _board = board;
            WakeupCause = (int)Sleep.GetWakeupCause();
        }

        public int BatteryMillivolts => _board.BatteryAdcChannel < 0 ? 0 : _adc.ReadMillivolts(_board.BatteryAdcChannel) * _board.BatteryDivider;

        public int FreeHeapBytes => (int)nanoFramework.Runtime.Native.GC.Run(false);

        // The managed API tells the wake-up cause, not the reset reason: a timer wake is our deep
        // sleep, anything else a power-on; crashes are counted by NodeLoop itself.
        public ResetCause ResetCause => WakeupCause == (int)Sleep.WakeupCause.Timer ? ResetCause.DeepSleepWake : ResetCause.PowerOn;

        public int WakeupCause { get; private set; }

        // Needs Wi-Fi stopped (the uplink stops it after each session); a plain wait where the chip refuses.
        public void LightSleep(int ms)
        {
            if (Sleep.EnableWakeupByTimer(TimeSpan.FromMilliseconds(ms)) != EspNativeError.OK || Sleep.StartLightSleep() != EspNativeError.OK)
            {
                System.Threading.Thread.Sleep(ms);
            }
        }

        public void DeepSleep(int ms)
        {
            Sleep.EnableWakeupByTimer(TimeSpan.FromMilliseconds(ms));
            Sleep.StartDeepSleep();
        }

        public void Reboot() => Power.RebootDevice();
    }
}
