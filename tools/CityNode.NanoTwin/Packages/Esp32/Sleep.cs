using System;
using CityNode.NanoTwin;

namespace nanoFramework.Hardware.Esp32;

/// <summary>
/// ESP-IDF sleep through nanoFramework: a timer wake-up stays armed until reset (wake-up sources are
/// not disabled after a wake, ESP-IDF v5.5.4 docs/en/api-reference/system/sleep_modes.rst line 169);
/// light sleep returns ESP_OK after the wake, deep sleep never returns (the wake is a reset).
/// </summary>
// upstream: nanoframework/nanoFramework.Hardware.Esp32 nanoFramework.Hardware.Esp32/Sleep.cs; native: nf-interpreter
// targets/ESP32/_nanoCLR/nanoFramework.Hardware.ESP32/nanoFramework_hardware_esp32_native_Hardware_Esp32_Sleep.cpp
internal class Sleep
{
    private const string TimerKey = "esp32.sleep.timerUs";
    private const string LastWakeKey = "esp32.sleep.lastWake";

    /// <summary>
    /// esp_light_sleep_start refuses a timer sleep shorter than its own overhead (ESP_ERR_SLEEP_TOO_SHORT_SLEEP_DURATION):
    /// on the ESP32 the minimum is RTC_CNTL_MIN_SLP_VAL_MIN = 128 slow-clock cycles (~853 µs at 150 kHz) after deducting
    /// ~600 µs of adjustment (DEFAULT_SLEEP_OUT_OVERHEAD_US 476 + DEFAULT_HARDWARE_OUT_OVERHEAD_US 60 + entry time):
    /// ESP-IDF v5.5.4 components/esp_hw_support/sleep_modes.c esp_light_sleep_start. ~1.5 ms, rounded.
    /// </summary>
    private const long MinLightSleepMicros = 1500;

    // upstream: Sleep.cs WakeupMode.
    public enum WakeupMode
    {
        AllLow = 0,
        AnyHigh = 1,
    }

    // upstream: Sleep.cs WakeupCause (esp_sleep_wakeup_cause_t values).
    public enum WakeupCause
    {
        Undefined = 0,
        Ext0 = 2,
        Ext1,
        Timer,
        TouchPad,
        Ulp,
        Gpio,
        Uart,
        Wifi,
        CoCpu,
        CoCpuTrapTrig,
        Bt,
    }

    // upstream: Sleep.cs WakeupGpioPin (bit = GPIO number).
    [Flags]
    public enum WakeupGpioPin : ulong
    {
        None = 0,
        Pin0 = 1,
        Pin1 = 1UL << 1,
        Pin2 = 1UL << 2,
        Pin3 = 1UL << 3,
        Pin4 = 1UL << 4,
        Pin5 = 1UL << 5,
        Pin6 = 1UL << 6,
        Pin7 = 1UL << 7,
        Pin8 = 1UL << 8,
        Pin9 = 1UL << 9,
        Pin10 = 1UL << 10,
        Pin11 = 1UL << 11,
        Pin12 = 1UL << 12,
        Pin13 = 1UL << 13,
        Pin14 = 1UL << 14,
        Pin15 = 1UL << 15,
        Pin16 = 1UL << 16,
        Pin17 = 1UL << 17,
        Pin18 = 1UL << 18,
        Pin19 = 1UL << 19,
        Pin20 = 1UL << 20,
        Pin21 = 1UL << 21,
        Pin25 = 1UL << 25,
        Pin26 = 1UL << 26,
        Pin27 = 1UL << 27,
        Pin32 = 1UL << 32,
        Pin33 = 1UL << 33,
        Pin34 = 1UL << 34,
        Pin35 = 1UL << 35,
        Pin36 = 1UL << 36,
        Pin37 = 1UL << 37,
        Pin38 = 1UL << 38,
        Pin39 = 1UL << 39,
    }

    // upstream: Sleep.cs WakeUpPort.
    public enum WakeUpPort
    {
        COM1 = 0,
        COM2 = 1,
    }

    // upstream: Sleep.cs EnableWakeupByTimer: µs = Ticks / 10 as UInt64 (a negative span wraps to a huge value); native:
    // NativeEnableWakeupByTimer → esp_sleep_enable_timer_wakeup, ESP_ERR_INVALID_ARG beyond the 48-bit RTC timer at ~150 kHz.
    public static EspNativeError EnableWakeupByTimer(TimeSpan time)
    {
        var board = TwinBoard.Current;
        board.EnsureRunning();
        ulong micros = (ulong)time.Ticks / 10;
        if (micros > ((1UL << 48) - 1) / 150_000 * 1_000_000)
        {
            return EspNativeError.INVALID_ARG;
        }

        board.Ram[TimerKey] = micros;
        board.TimerWakeupMs = (long)(micros / 1000);
        return EspNativeError.OK;
    }

    // upstream: Sleep.cs StartLightSleep; native: NativeStartLightSleep → esp_light_sleep_start, which in ESP-IDF 5.x does not
    // check Wi-Fi (sleep_modes.c; the radio is simply off while asleep, sleep_modes.rst "Wi-Fi and Sleep Modes"). With no
    // wake-up source the chip sleeps "indefinitely until external reset is applied" (sleep_modes.rst line 453).
    public static EspNativeError StartLightSleep()
    {
        var board = TwinBoard.Current;
        board.EnsureRunning();
        if (!board.Ram.TryGetValue(TimerKey, out var armed))
        {
            board.SleepForever();
        }

        if ((ulong)armed! <= MinLightSleepMicros)
        {
            return EspNativeError.INVALID_ARG;
        }

        board.LightSleep(board.TimerWakeupMs);
        board.Ram[LastWakeKey] = (int)WakeupCause.Timer;
        return EspNativeError.OK;
    }

    // upstream: Sleep.cs StartDeepSleep: NativeStartDeepSleep then Thread.Sleep(Infinite); native: NativeStartDeepSleep sets
    // the CLR's reboot flags and power level Off, the chip enters deep sleep when the interpreter loop exits.
    public static void StartDeepSleep()
    {
        var board = TwinBoard.Current;
        board.EnsureRunning();
        // The twin returns with the CPU off instead of parking the thread: every twin call after this throws,
        // and the glue returns straight out of Main, so nothing after it reaches the board.
        board.Halt(HaltReason.DeepSleep, board.TimerWakeupMs);
    }

    // upstream: Sleep.cs GetWakeupCause; native: esp_sleep_get_wakeup_cause(): the cause of the last wake, light sleeps included.
    public static WakeupCause GetWakeupCause()
    {
        var board = TwinBoard.Current;
        board.EnsureRunning();
        return (WakeupCause)(board.Ram.TryGetValue(LastWakeKey, out var cause) ? (int)cause : board.WakeupCause);
    }
}
