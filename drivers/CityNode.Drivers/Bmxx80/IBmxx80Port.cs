namespace CityNode.Drivers.Bmxx80
{
    /// <summary>
    /// The Bosch BME280/BME680 as the Bmxx80 bindings expose it. CityNode does not re-implement
    /// that driver: the ESP32 glue implements this with nanoFramework.Iot.Device.Bmxx80, the host
    /// with Iot.Device.Bindings (the .NET IoT library it was ported from), both over I2C.
    /// Values are micro-units: µ°C, µ%RH, µPa, mΩ·1000 (Ω × 10^6).
    /// </summary>
    public interface IBmxx80Port
    {
        /// <summary>True for a BME680 (gas resistance available).</summary>
        bool HasGas { get; }

        /// <summary>Creates the binding: reads the chip id and calibration. False when absent or another chip.</summary>
        bool Open();

        /// <summary>Starts a forced-mode measurement; returns the milliseconds it takes (datasheet t_measure). Throws when the chip does not answer.</summary>
        int StartMeasurement();

        /// <summary>True while the chip reports a conversion in progress (status register bit 3).</summary>
        bool IsMeasuring();

        /// <summary>Reads the compensated results. False on a bus error.</summary>
        bool Read(out long temperature, out long humidity, out long pressure, out long gasResistance);

        /// <summary>Drops the binding (it is created again by <see cref="Open"/>).</summary>
        void Close();
    }
}
