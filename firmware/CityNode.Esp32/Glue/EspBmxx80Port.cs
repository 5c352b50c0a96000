using System;
using System.Device.I2c;
using CityNode.Drivers.Bmxx80;
using CityNode.Sensors;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.PowerMode;

namespace CityNode.Esp32.Glue
{
    /// <summary>
    /// IBmxx80Port with nanoFramework.Iot.Device.Bmxx80. That binding ignores every I2C transfer
    /// result (it throws only for a wrong chip id when created): a chip that vanishes reads as zeros.
    /// So the port checks the chip id register itself around each measurement (with the transfer
    /// status), catches whatever the native side throws, and never touches a binding that failed to open.
    /// </summary>
    internal sealed class EspBmxx80Port : IBmxx80Port
    {
        private const byte ChipIdRegister = 0xD0; // BME280 datasheet §5.4.1, BME680 §5.3.3.5
        private const byte Bme280Id = 0x60;
        private const byte Bme680Id = 0x61;
        private readonly I2cConnectionSettings _settings;
        private readonly bool _gas;
        private readonly byte[] _register = { ChipIdRegister };
        private readonly byte[] _id = new byte[1];
        private I2cDevice _device;
        private Bme280 _bme280;
        private Bme680 _bme680;

        public EspBmxx80Port(I2cConnectionSettings settings, bool bme680)
        {
            _settings = settings;
            _gas = bme680;
        }

        public bool HasGas => _gas;

        public bool Open()
        {
            Close();
            try
            {
                _device = I2cDevice.Create(_settings);
                if (!ChipAnswers())
                {
                    Close();
                    return false;
                }

                // Oversampling ×2 T, ×16 P, ×1 H: 0.0025 °C and 0.16 Pa steps (BME280 datasheet §3.4.1), as the host port.
                if (_gas)
                {
                    _bme680 = new Bme680(_device) { TemperatureSampling = Sampling.LowPower, PressureSampling = Sampling.UltraHighResolution, HumiditySampling = Sampling.UltraLowPower };
                }
                else
                {
                    _bme280 = new Bme280(_device) { TemperatureSampling = Sampling.LowPower, PressureSampling = Sampling.UltraHighResolution, HumiditySampling = Sampling.UltraLowPower };
                }

                return true;
            }
            catch (Exception)
            {
                Close(); // wrong chip (IOException), bad bus or pins (native ArgumentException / InvalidOperationException)
                return false;
            }
        }

        public int StartMeasurement()
        {
            if (_device == null)
            {
                return -(int)FetchResult.NotPresent;
            }

            try
            {
                if (!ChipAnswers())
                {
                    return -(int)FetchResult.Nack;
                }

                if (_gas)
                {
                    _bme680.SetPowerMode(Bme680PowerMode.Forced);
                    return (int)_bme680.GetMeasurementDuration(_bme680.HeaterProfile).Milliseconds;
                }

                _bme280.SetPowerMode(Bmx280PowerMode.Forced);
                return _bme280.GetMeasurementDuration();
            }
            catch (Exception)
            {
                return -(int)FetchResult.Nack;
            }
        }

        public bool IsMeasuring()
        {
            try
            {
                return _bme280 != null && _bme280.ReadStatus().Measuring; // the BME680 binding has no status read: the duration is waited out
            }
            catch (Exception)
            {
                return false;
            }
        }

        public bool Read(out long temperature, out long humidity, out long pressure, out long gasResistance)
        {
            temperature = humidity = pressure = gasResistance = 0;
            if (_device == null)
            {
                return false;
            }

            try
            {
                UnitsNet.Temperature t;
                UnitsNet.Pressure p;
                UnitsNet.RelativeHumidity h;
                UnitsNet.ElectricResistance g = default;
                Bmxx80Base b = _gas ? (Bmxx80Base)_bme680 : _bme280;
                bool ok = b.TryReadTemperature(out t) & b.TryReadPressure(out p) & (_gas ? _bme680.TryReadHumidity(out h) : _bme280.TryReadHumidity(out h));
                ok = ok & (!_gas || _bme680.TryReadGasResistance(out g));

                // Read after the fact: a chip that left during the read gave zeros the binding took for data.
                if (!ok || !ChipAnswers())
                {
                    return false;
                }

                temperature = Bmxx80Units.Micro(t.DegreesCelsius);
                pressure = Bmxx80Units.Micro(p.Pascals);
                humidity = Bmxx80Units.Micro(h.Percent);
                gasResistance = _gas ? Bmxx80Units.Micro(g.Ohms) : 0;
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        }

        public void Close()
        {
            try
            {
                if (_bme280 != null)
                {
                    _bme280.Dispose();
                }
                else if (_bme680 != null)
                {
                    _bme680.Dispose();
                }
                else if (_device != null)
                {
                    _device.Dispose();
                }
            }
            catch (Exception)
            {
            }

            _bme280 = null;
            _bme680 = null;
            _device = null;
        }

        private bool ChipAnswers()
        {
            _id[0] = 0;
            I2cTransferResult r = _device.WriteRead(_register, _id);
            return r.Status == I2cTransferStatus.FullTransfer && _id[0] == (_gas ? Bme680Id : Bme280Id);
        }
    }
}
