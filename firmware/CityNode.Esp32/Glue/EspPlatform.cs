using System;
using CityNode.Config;
using CityNode.Hal;
using nanoFramework.Hardware.Esp32;

namespace CityNode.Esp32.Glue
{
    /// <summary>ChipPlatform with nanoFramework.Hardware.Esp32 (Sleep) and Runtime.Native (GC, Power).</summary>
    internal sealed class EspPlatform : ChipPlatform
    {
        public EspPlatform(IAdc adc, BoardProfile board, EspUplink uplink, IClock clock)
            : base(adc, board, uplink, clock, (int)Sleep.GetWakeupCause(), (int)Sleep.WakeupCause.Timer)
        {
        }

        public override void LightSleep(int ms) => Nap(ms);

        // ESP-IDF 5 light-sleeps with Wi-Fi started too (the RF is powered down meanwhile); a plain wait
        // only if the chip refuses the timer or the sleep.
        public static void Nap(int ms)
        {
            if (Sleep.EnableWakeupByTimer(TimeSpan.FromMilliseconds(ms)) != EspNativeError.OK || Sleep.StartLightSleep() != EspNativeError.OK)
            {
                System.Threading.Thread.Sleep(ms);
            }
        }

        public override void Reboot() => nanoFramework.Runtime.Native.Power.RebootDevice();

        public override void DeepSleepNow(int ms) => DeepSleepFor(ms);

        public static void DeepSleepFor(int ms)
        {
            Sleep.EnableWakeupByTimer(TimeSpan.FromMilliseconds(ms));
            Sleep.StartDeepSleep();
        }

        protected override int MeasureFreeHeap() => (int)nanoFramework.Runtime.Native.GC.Run(false);
    }
}
