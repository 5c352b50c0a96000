using CityNode.Config;
using CityNode.Drivers.AnalogProbes;
using CityNode.Drivers.AtlasEzo;
using CityNode.Drivers.Registry;
using CityNode.Host.Sim;
using Xunit;

namespace CityNode.Tests.Drivers;

public class SensorFactoryTests
{
    private static NodeConfig Config(string lines) => NodeConfig.Parse("node.id = 1\n" + lines);

    [Fact]
    public void Builds_the_configured_drivers_in_order_and_skips_disabled_ones()
    {
        var buses = new SimBusProvider(new VirtualClock(0));
        var config = Config("sensor.ezo_rtd = i2c:0x66\nsensor.ezo_ph = i2c2:0x63\nsensor.turbidity = adc:6,divider=3/2\ncalibration.turbidity = 4050\nsensors = ezo_rtd,turbidity");
        var sensors = SensorFactory.Create(config, buses);
        Assert.Equal(new[] { "ezo_rtd", "turbidity" }, sensors.Select(s => s.Name));
        Assert.Equal(EzoKind.Rtd, ((EzoCircuit)sensors[0]).Kind);
        Assert.IsType<Turbidity>(sensors[1]);
    }

    [Theory]
    [InlineData("sensor.bme281 = i2c:0x76", "line 2: sensor.bme281: no driver for 'bme281'")]
    [InlineData("sensor.bme280 = i2c:0x99", "line 2: sensor.bme280: '0x99' is not a 7-bit I2C address (0x08..0x77)")]
    [InlineData("sensor.pms5003 = uart:COM0", "line 2: sensor.pms5003: 'COM0' is not a serial port (COM1..COM9)")]
    [InlineData("sensor.pms5003 = i2c:0x12", "line 2: sensor.pms5003: pms5003 is on uart, not i2c")]
    [InlineData("sensor.turbidity = adc:6,divider=3", "line 2: sensor.turbidity: divider '3' is not N/D (probe voltage = pin voltage × N / D)")]
    [InlineData("sensor.scd41 = i2c:0x62,height=3", "line 2: sensor.scd41: unknown option 'height' (divider, altitude)")]
    [InlineData("sensor.scd41 = spi:0", "line 2: sensor.scd41: unknown bus 'spi' (i2c, i2c1, i2c2, uart, adc)")]
    [InlineData("sensor.analog_ph = adc:5\ncalibration.ph = 7.00:1500", "line 3: calibration.ph: needs 2 or 3 points")]
    [InlineData("sensor.tds = adc:7\ncalibration.tds = -1", "line 3: calibration.tds: '-1' is not a positive number")]
    public void Bad_wiring_is_refused_with_line_and_key(string lines, string message)
    {
        var e = Assert.Throws<ConfigException>(() => SensorFactory.Create(Config(lines), new SimBusProvider(new VirtualClock(0))));
        Assert.StartsWith(message, e.Message);
    }
}
