using CityNode.Drivers.Bmxx80;
using CityNode.Hal;

namespace CityNode.Drivers.Registry
{
    /// <summary>
    /// The buses of a board, as the sensor factory needs them. The ESP32 glue opens
    /// System.Device.I2c, System.IO.Ports and System.Device.Adc; the host hands out simulated ones.
    /// </summary>
    public interface IBusProvider
    {
        IClock Clock { get; }

        /// <summary>I2C controller 1 or 2 (ESP32: I2C1 SDA18/SCL19, I2C2 SDA25/SCL26 by default).</summary>
        II2cBus I2c(int busId);

        /// <summary>A serial port by name ("COM2"), opened at the baud rate.</summary>
        IUart Uart(string port, int baud);

        IAdc Adc();

        /// <summary>The Bmxx80 binding on a bus address (nanoFramework.Iot.Device.Bmxx80 / Iot.Device.Bindings).</summary>
        IBmxx80Port Bmxx80(int busId, int address, bool bme680);
    }
}
