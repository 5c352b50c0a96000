using CityNode.Drivers.Bmxx80;
using CityNode.Hal;
using CityNode.Host.SimulatedHal;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.PowerMode;

namespace CityNode.Host.Ports;

/// <summary>
/// The host side of <see cref="IBmxx80Port"/>: Iot.Device.Bindings' Bme280 (the driver nanoFramework's
/// Bmxx80 was ported from) on an I2C address of a CityNode bus. The device glue does the same with
/// nanoFramework.Iot.Device.Bmxx80. Oversampling ×2 for temperature and ×16 for pressure gives
/// 0.0025 °C and 0.16 Pa steps (BME280 datasheet §3.4.1), below the channels' 0.01 °C and 1 Pa.
/// </summary>
public sealed class BindingBme280Port : IBmxx80Port
{
    private readonly II2cBus _bus;
    private readonly int _address;
    private Bme280? _sensor;

    public BindingBme280Port(II2cBus bus, int address)
    {
        _bus = bus;
        _address = address;
    }

    public bool HasGas => false;

    public bool Open()
    {
        Close();
        try
        {
            var sensor = new Bme280(new BusI2cDevice(_bus, 1, _address))
            {
                TemperatureSampling = Sampling.LowPower,
                PressureSampling = Sampling.UltraHighResolution,
                HumiditySampling = Sampling.UltraLowPower,
            };
            _sensor = sensor;
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    // Throws when not open or when the chip does not answer (IOException), as the nanoFramework binding does.
    public int StartMeasurement()
    {
        var sensor = _sensor ?? throw new InvalidOperationException("the binding is not open");
        sensor.SetPowerMode(Bmx280PowerMode.Forced);
        return sensor.GetMeasurementDuration();
    }

    public bool IsMeasuring()
    {
        try
        {
            return _sensor?.ReadStatus().Measuring ?? false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public bool Read(out long temperature, out long humidity, out long pressure, out long gasResistance)
    {
        temperature = humidity = pressure = gasResistance = 0;
        if (_sensor is null)
        {
            return false;
        }

        try
        {
            if (!_sensor.TryReadTemperature(out var t) || !_sensor.TryReadPressure(out var p) || !_sensor.TryReadHumidity(out var h))
            {
                return false;
            }

            temperature = Bmxx80Units.Micro(t.DegreesCelsius);
            pressure = Bmxx80Units.Micro(p.Pascals);
            humidity = Bmxx80Units.Micro(h.Percent);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Close()
    {
        _sensor?.Dispose();
        _sensor = null;
    }
}
