using CityNode.Config;
using CityNode.Drivers.AnalogProbes;
using CityNode.Drivers.AtlasEzo;
using CityNode.Drivers.Registry;
using CityNode.Host.SimulatedHal;
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
    [InlineData("sensor.pms5003 = uart:COM0", "line 2: sensor.pms5003: 'COM0' is not a sensor serial port: COM2 or COM3")]
    [InlineData("sensor.sds011 = uart:COM1", "line 2: sensor.sds011: 'COM1' is not a sensor serial port: COM2 or COM3 (COM1 is nanoFramework's debug channel)")]
    [InlineData("sensor.turbidity = adc:9", "line 2: sensor.turbidity: '9' is not an ADC1 channel (0..7; ADC2 does not convert while Wi-Fi is on)")]
    [InlineData("sensor.bme280 = i2c:0x40", "line 2: sensor.bme280: 0x40 is not a bme280 address: 0x76 (SDO to GND) or 0x77 (SDO to VDDIO)")]
    [InlineData("sensor.scd41 = i2c:0x63", "line 2: sensor.scd41: 0x63 is not the scd41 address: it is fixed at 0x62")]
    [InlineData("sensor.scd41 = i2c:0x62\nsensor.ezo_orp = i2c1:0x62", "line 3: sensor.ezo_orp: i2c1 address 0x62 is taken by sensor.scd41 (line 2); one sensor per place")]
    [InlineData("sensor.sds011 = uart:COM2\nsensor.pms5003 = uart:COM2", "line 3: sensor.pms5003: COM2 is taken by sensor.sds011 (line 2)")]
    [InlineData("sensor.tds = adc:5\nsensor.turbidity = adc:5", "line 3: sensor.turbidity: ADC channel 5 is taken by sensor.tds (line 2)")]
    [InlineData("sensor.bme280 = i2c:0x76\nsensors = bme280,nosuch", "line 3: sensors: 'nosuch' is not wired on this node: no sensor.nosuch line (wired: bme280)")]
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

    [Fact]
    public void The_two_sensors_on_one_address_of_two_buses_are_fine()
    {
        var sensors = SensorFactory.Create(Config("sensor.scd41 = i2c1:0x62\nsensor.ezo_orp = i2c2:0x62"), new SimBusProvider(new VirtualClock(0)));
        Assert.Equal(["scd41", "ezo_orp"], sensors.Select(s => s.Name));
    }

    [Theory]
    [InlineData("reference")]
    [InlineData("firebeetle-esp32e")]
    [InlineData("esp32-devkitc")]
    [InlineData("esp32-devkitc-dual-i2c")]
    [InlineData("esp32-s3-devkitc")]
    public void Every_shipped_boards_default_wiring_passes_its_own_board_check(string board)
    {
        var profile = CityNode.Host.Reports.Boards.Load(board);
        var doc = ConfigDocument.Parse("node.id = 1\n" + profile.SensorLines());
        Assert.Equal(doc.Count - 1, SensorWiring.Check(doc, profile).Length);
    }

    [Fact]
    public void On_a_boards_buses_the_node_applies_the_boards_rules_too()
    {
        var board = CityNode.Host.Reports.Boards.Load("firebeetle-esp32e");
        var buses = new ProfileBuses(board);
        var e = Assert.Throws<ConfigException>(() => SensorFactory.Create(Config("sensor.turbidity = adc:6"), buses));
        Assert.Equal("line 2: sensor.turbidity: ADC channel 6 is the battery divider's on board firebeetle-esp32e (battery.adc_channel); use another ADC1 channel", e.Message);
        e = Assert.Throws<ConfigException>(() => SensorFactory.Create(Config("sensor.pms5003 = uart:COM3"), buses));
        Assert.StartsWith("line 2: sensor.pms5003: COM3 has no pins on board firebeetle-esp32e (its profile routes COM2;", e.Message);
        Assert.Single(SensorFactory.Create(Config("sensor.turbidity = adc:5"), buses));
    }

    /// <summary>A board's buses with no chips behind them (only the profile matters here).</summary>
    private sealed class ProfileBuses(BoardProfile board) : BoardBuses(board, new VirtualClock(0), 8)
    {
        public override CityNode.Hal.IUart Uart(string port, int baud) => new SimBusProvider(new VirtualClock(0)).Uart(port, baud);

        public override CityNode.Drivers.Bmxx80.IBmxx80Port Bmxx80(int busId, int address, bool bme680) => throw new NotSupportedException();

        protected override void RoutePin(int key, int gpio)
        {
        }

        protected override CityNode.Hal.II2cBus CreateI2c(int port, int kilohertz) => new SimI2cBus();

        protected override int ReadRaw(int channel) => 0;
    }
}
