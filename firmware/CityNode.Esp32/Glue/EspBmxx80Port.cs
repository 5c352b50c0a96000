using System.Device.I2c;
using CityNode.Drivers.Bmxx80;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.PowerMode;

namespace CityNode.Esp32.Glue
{
    /// <summary>
    /// IBmxx80Port with nanoFramework.Iot.Device.Bmxx80. The binding ignores I2C transfer results: the
    /// portable Bmxx80Sensor checks the chip id around each measurement, and GuardedBmxx80Port (around
    /// this, in the sensor factory) turns whatever the binding or the native driver throws into a fault.
    /// </summary>
    internal sealed class EspBmxx80Port : IBmxx80Port
    {
        private readonly I2cConnectionSettings _settings;
        private Bme280 _bme280;
        private Bme680 _bme680;

        public EspBmxx80Port(I2cConnectionSettings settings, bool bme680)
        {
            _settings = settings;
            HasGas = bme680;
        }

        public bool HasGas { get; private set; }

        private Bmxx80Base Binding => HasGas ? (Bmxx80Base)_bme680 : _bme280;

        // Oversampling ×2 T, ×16 P, ×1 H: 0.0025 °C and 0.16 Pa steps (BME280 datasheet §3.4.1), as the host port.
        public bool Open()
        {
            I2cDevice device = I2cDevice.Create(_settings); // a wrong chip id throws IOException
            if (HasGas)
            {
                _bme680 = new Bme680(device) { HumiditySampling = Sampling.UltraLowPower };
            }
            else
            {
                _bme280 = new Bme280(device) { HumiditySampling = Sampling.UltraLowPower };
            }

            Binding.TemperatureSampling = Sampling.LowPower;
            Binding.PressureSampling = Sampling.UltraHighResolution;
            return true;
        }

        public int StartMeasurement()
        {
            if (HasGas)
            {
                _bme680.SetPowerMode(Bme680PowerMode.Forced);
                return (int)_bme680.GetMeasurementDuration(_bme680.HeaterProfile).Milliseconds;
            }

            _bme280.SetPowerMode(Bmx280PowerMode.Forced);
            return _bme280.GetMeasurementDuration();
        }

        // The BME680 binding has no status read: its measurement time is waited out.
        public bool IsMeasuring() => !HasGas && _bme280.ReadStatus().Measuring;

        public bool Read(out long temperature, out long humidity, out long pressure, out long gasResistance)
        {
            UnitsNet.Temperature t;
            UnitsNet.Pressure p;
            UnitsNet.RelativeHumidity h;
            UnitsNet.ElectricResistance g = default;
            bool ok = Binding.TryReadTemperature(out t) & Binding.TryReadPressure(out p)
                & (HasGas ? _bme680.TryReadHumidity(out h) : _bme280.TryReadHumidity(out h)) & (!HasGas || _bme680.TryReadGasResistance(out g));
            temperature = Bmxx80Units.Micro(t.DegreesCelsius);
            pressure = Bmxx80Units.Micro(p.Pascals);
            humidity = Bmxx80Units.Micro(h.Percent);
            gasResistance = HasGas ? Bmxx80Units.Micro(g.Ohms) : 0;
            return ok;
        }

        public void Close()
        {
            Binding?.Dispose();
            _bme280 = null;
            _bme680 = null;
        }
    }
}
