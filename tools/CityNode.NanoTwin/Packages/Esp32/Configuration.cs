using CityNode.NanoTwin;

namespace nanoFramework.Hardware.Esp32;

/// <summary>The GPIO matrix: which pin a peripheral signal uses (RAM state, back to the firmware defaults at every reset).</summary>
// upstream: nanoframework/nanoFramework.Hardware.Esp32 nanoFramework.Hardware.Esp32/Configuration.cs; native: nf-interpreter
// targets/ESP32/_nanoCLR/nanoFramework.Hardware.ESP32/nanoFramework_hardware_esp32_native_Hardware_Esp32_Configuration.cpp
// and targets/ESP32/_common/DeviceMapping_common.cpp (Esp32_SetMappedDevicePins / Esp32_GetMappedDevicePins)
internal class Configuration
{
    // targets/ESP32/_common/ESP32_DeviceMapping.cpp Esp32_ADC_DevicePinMap: ADC channels are fixed pins.
    private static readonly int[] AdcPins = { 36, 37, 38, 39, 32, 33, 34, 35, 36, 39, 4, 0, 2, 15, 13, 12, 14, 27, 25, 26 };

    // ESP32_DeviceMapping.cpp Esp32_SPI_DevicePinMap: SPI1 MOSI 23, MISO 25, CLOCK 19; SPI2 unassigned.
    private static readonly int[] Spi1Pins = { 23, 25, 19 };

    // native: Esp32_SetMappedDevicePins returns false (→ CLR_E_INVALID_PARAMETER, ArgumentException) for an ADC or SDMMC
    // function (no case on the ESP32), a bus/signal out of range, or an input-only pin (GPIO 34–39, or no such GPIO) for
    // I2C SDA/SCL, SPI MOSI/CLOCK and serial TX/RTS. A GPIO function does nothing.
    public static void SetPinFunction(int pin, DeviceFunction value)
    {
        var board = TwinBoard.Current;
        board.EnsureRunning();
        int f = (int)value, type = (f >> 16) & 0xFF, bus = ((f >> 8) & 0xFF) - 1, signal = f & 0xFF;
        bool ok = type switch
        {
            0 => true,
            1 => bus is >= 0 and <= 2 && signal < 3 && (signal == 1 || IsOutputPin(pin)),
            2 => bus is >= 0 and <= 2 && signal <= 1 && IsOutputPin(pin),
            3 => bus is >= 0 and < 3 && signal < 4 && (signal is 1 or 3 || IsOutputPin(pin)),
            4 => bus is >= 0 and <= 15,
            6 => bus is >= 0 and <= 1 && signal <= 4,
            _ => false,
        };
        if (!ok)
        {
            throw new System.ArgumentException("SetPinFunction(" + pin + ", " + value + ") refused");
        }

        if (type != 0)
        {
            board.Wiring.SetPinFunction(pin, value.ToString());
        }
    }

    // native: NativeGetPinFunction → Esp32_GetMappedDevicePinsWithFunction: the pin mapped now, -1 for none (and for GPIO).
    public static int GetFunctionPin(DeviceFunction function)
    {
        var board = TwinBoard.Current;
        board.EnsureRunning();
        int f = (int)function, type = (f >> 16) & 0xFF, bus = ((f >> 8) & 0xFF) - 1, signal = f & 0xFF;
        if (bus < 0)
        {
            return -1;
        }

        if (type == 5)
        {
            return signal < AdcPins.Length ? AdcPins[signal] : -1;
        }

        int pin = board.Wiring.PinOf(function.ToString());
        return pin >= 0 || type != 1 || bus != 0 || signal > 2 ? pin : Spi1Pins[signal];
    }

    // ESP-IDF soc/esp32 SOC_GPIO_VALID_OUTPUT_GPIO_MASK: GPIO 0–19, 21–23, 25–27, 32, 33.
    private static bool IsOutputPin(int pin) => pin is (>= 0 and <= 19) or (>= 21 and <= 23) or (>= 25 and <= 27) or 32 or 33;
}
