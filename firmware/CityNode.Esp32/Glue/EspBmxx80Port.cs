using System.Device.I2c;
using System.IO;
using CityNode.Drivers.Bmxx80;
using CityNode.Sensors;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.PowerMode;

namespace CityNode.Esp32.Glue
{
    /// <summary>IBmxx80Port with nanoFramework.Iot.Device.Bmxx80's Bme280 (as the host's BindingBme280Port); the binding throws IOException on a NACK.</summary>
    internal sealed class EspBmxx80Port : IBmxx80Port
    {
        private readonly I2cConnectionSettings _settings;
        private Bme280 _bme;

        public EspBmxx80Port(int busId, int address) => _settings = new I2cConnectionSettings(busId, address);

        public bool HasGas => false;

        public bool Open()
        {
            Close();
            try
            {
                _bme = new Bme280(I2cDevice.Create(_settings)); // no chip, or not a BME280: IOException
                _bme.TemperatureSampling = Sampling.LowPower;
                _bme.PressureSampling = Sampling.UltraHighResolution;
                _bme.HumiditySampling = Sampling.UltraLowPower;
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }

        public int StartMeasurement()
        {
            try
            {
                _bme.SetPowerMode(Bmx280PowerMode.Forced);
                return _bme.GetMeasurementDuration();
            }
            catch (IOException)
            {
                return -(int)FetchResult.Nack;
            }
        }

        public bool IsMeasuring()
        {
            try
            {
                return _bme.ReadStatus().Measuring;
            }
            catch (IOException)
            {
                return false;
            }
        }

        public bool Read(out long temperature, out long humidity, out long pressure, out long gasResistance)
        {
            temperature = humidity = pressure = gasResistance = 0;
            try
            {
                UnitsNet.Temperature t;
                UnitsNet.Pressure p;
                UnitsNet.RelativeHumidity h;
                bool ok = _bme.TryReadTemperature(out t) & _bme.TryReadPressure(out p) & _bme.TryReadHumidity(out h);
                temperature = Micro(t.DegreesCelsius);
                pressure = Micro(p.Pascals);
                humidity = Micro(h.Percent);
                return ok;
            }
            catch (IOException)
            {
                return false;
            }
        }

        public void Close()
        {
            _bme?.Dispose();
            _bme = null;
        }

        // NaN fails both comparisons: long.MinValue, which the sampler marks invalid, never a number.
        private static long Micro(double v) => v > -1e9 && v < 1e9 ? (long)(v * 1000000) : long.MinValue;
    }
}
