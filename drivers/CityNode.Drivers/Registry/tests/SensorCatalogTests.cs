using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Drivers.Registry.Sim;
using CityNode.Host.Reports;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.Sensors;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Drivers;

/// <summary>
/// The catalog is the one list of sensors: every descriptor is unique, builds its driver through
/// the factory, is simulated on the host (bme680 aside), and is what the energy model, the wiring
/// refusals and the verifier use. A sensor added with a descriptor that disagrees with its driver
/// fails here.
/// </summary>
public class SensorCatalogTests
{
    /// <summary>Calibration a sensor cannot be built without (analog pH: two buffer points at least).</summary>
    private static readonly Dictionary<string, string> RequiredCalibration = new() { ["ph"] = "4.00:2030,7.00:1500,10.00:975" };

    public static TheoryData<string> Names() => new(SensorCatalog.All.Select(d => d.Name));

    private static NodeConfig ConfigFor(SensorDescriptor d, string placement) =>
        NodeConfig.Parse($"node.id = 1\nsensor.{d.Name} = {placement}\n" +
            (d.CalibrationKey is { } key && RequiredCalibration.TryGetValue(key, out var cal) ? $"calibration.{key} = {cal}\n" : ""));

    [Fact]
    public void Every_name_is_unique_and_a_config_name()
    {
        var names = SensorCatalog.All.Select(d => d.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^[a-z0-9_]+$", n));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_factory_builds_the_driver_the_descriptor_describes(string name)
    {
        var d = SensorCatalog.Get(name);
        var sensors = SensorFactory.Create(ConfigFor(d, d.DefaultPlacement), new GasPorts(new SimBusProvider(new VirtualClock(0))));
        var driver = Assert.Single(sensors);
        Assert.Equal(d.Name, driver.Name);
        Assert.Equal(d.WarmupMs, driver.WarmupMs);
        Assert.Equal(d.ChannelCount, driver.ChannelCount);
        for (int c = 0; c < d.ChannelCount; c++)
        {
            Assert.True(d.Channel(c).SameAs(driver.Channel(c)), $"{name} channel {c}: descriptor {Channels.Name(d.Channel(c).Id)} {d.Channel(c).Mantissa}e{d.Channel(c).Exponent}, driver {Channels.Name(driver.Channel(c).Id)} {driver.Channel(c).Mantissa}e{driver.Channel(c).Exponent}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Its_simulated_chip_is_found_by_name_and_reads_ok_through_the_normal_path(string name)
    {
        var d = SensorCatalog.Get(name);
        if (name == "bme680")
        {
            Assert.Null(SensorSimulations.For(name)); // no BME680 simulation: the hardware refuses it (below)
            return;
        }

        var clock = new VirtualClock(1_700_000_000);
        var hw = NodeHardware.ForSensors(clock, [(name, d.DefaultPlacement)], new World());
        var config = NodeConfig.Parse("node.id = 1\n" + hw.SensorLines + (d.CalibrationKey is { } key && RequiredCalibration.TryGetValue(key, out var cal) ? $"calibration.{key} = {cal}\n" : ""));
        var sampler = new Sampler(SensorFactory.Create(config, hw.Buses), clock);
        var frame = new SampleFrame(sampler.ChannelCount);
        sampler.Setup();
        Assert.True(sampler.IsPresent(0), $"{name}: setup {sampler.LastResult(0)}");
        for (int cycle = 0; cycle < 2; cycle++)
        {
            sampler.Wake();
            clock.Delay(sampler.WarmupMs());
            sampler.Sample(frame, clock.UnixSeconds);
            sampler.Sleep();
            clock.Advance(60_000);
        }

        Assert.Equal(d.ChannelCount, frame.ChannelCount);
        Assert.All(Enumerable.Range(0, frame.ChannelCount), c => Assert.Equal(ReadingStatus.Ok, frame.Status[c]));
    }

    [Fact]
    public void A_sensor_without_a_simulated_chip_is_refused_by_the_simulated_hardware()
    {
        var e = Assert.Throws<ArgumentException>(() => NodeHardware.ForSensors(new VirtualClock(0), [("bme680", "i2c:0x76")], new World()));
        Assert.StartsWith("sensor.bme680: no simulated chip for it (simulated: bme280, pms5003", e.Message);
    }

    /// <summary>
    /// bme680 used to build a BME280 driver named bme280 with three channels on a port without gas
    /// (the host's), while the energy model counted four: it is refused there now, naming what to do.
    /// </summary>
    [Fact]
    public void A_bme680_on_a_port_without_gas_is_refused_not_built_as_a_bme280()
    {
        var e = Assert.Throws<ConfigException>(() => SensorFactory.Create(NodeConfig.Parse("node.id = 1\nsensor.bme680 = i2c:0x77\n"), new SimBusProvider(new VirtualClock(0))));
        Assert.Equal("line 2: sensor.bme680: this platform's BME port reads no gas resistance (the host's is a BME280 binding): wire it as sensor.bme280 for temperature, humidity and pressure", e.Message);
    }

    [Fact]
    public void Refusals_list_every_descriptor_as_known()
    {
        var e = Assert.Throws<ConfigException>(() => SensorWiring.Check(ConfigDocument.Parse("sensor.nosuch = i2c:0x40\n"), null));
        Assert.All(SensorCatalog.All, d => Assert.Contains(d.Name, e.Message));
        Assert.Contains("(known: bme280, bme680, pms5003, sds011, scd41, ezo_ph,", e.Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_energy_model_counts_the_descriptors_channels_and_charge(string name)
    {
        var d = SensorCatalog.Get(name);
        var w = EnergyReport.Workload.FromConfig(NodeConfig.Parse($"node.id = 1\nsample = 60s\nsensor.{name} = {d.DefaultPlacement}\n"));
        Assert.Equal([(name, d.ChannelCount)], w.Sensors);
        Assert.Equal(d.DefaultPlacement, EnergyReport.Workload.DefaultPlacement(name));
        Assert.Equal((long)d.Microamps * d.OnMilliseconds, SensorCatalog.ChargePerSample([name]));
        Assert.True(d.Microamps > 0 && d.OnMilliseconds > 0, $"{name}: a sensor draws something for some time");
        Assert.True(d.OnMilliseconds >= d.WarmupMs, $"{name}: powered at least through its warm-up");
    }

    [Fact]
    public void The_energy_figures_are_the_datasheets()
    {
        // BME280 ~0.7 mA for a 45 ms forced conversion; SDS011 70 mA for 15 s warm-up + a frame; SCD41 ~15 mA for two 5 s single shots.
        Assert.Equal((700L * 45) + (70_000L * 16_000) + (15_000L * 10_000), SensorCatalog.ChargePerSample(["bme280", "sds011", "scd41"]));
    }

    [Fact]
    public void Compensated_channels_name_their_inputs()
    {
        Assert.Equal([Channels.AirPressure], SensorCatalog.Get("scd41").CompensatedBy);
        Assert.Equal([Channels.WaterTemperature, Channels.Conductivity, Channels.AirPressure], SensorCatalog.Get("ezo_do").CompensatedBy);
        Assert.Empty(SensorCatalog.Get("bme280").CompensatedBy);
    }

    /// <summary>Simulated buses whose BMxx80 port has gas when asked (so a bme680 can be built to compare its channels).</summary>
    private sealed class GasPorts(SimBusProvider buses) : IBusProvider
    {
        public CityNode.Hal.IClock Clock => buses.Clock;

        public CityNode.Hal.II2cBus I2c(int busId) => buses.I2c(busId);

        public CityNode.Hal.IUart Uart(string port, int baud) => buses.Uart(port, baud);

        public CityNode.Hal.IAdc Adc() => buses.Adc();

        public CityNode.Drivers.Bmxx80.IBmxx80Port Bmxx80(int busId, int address, bool bme680) => new Port(bme680);

        private sealed class Port(bool gas) : CityNode.Drivers.Bmxx80.IBmxx80Port
        {
            public bool HasGas => gas;

            public bool Open() => false;

            public int StartMeasurement() => throw new IOException("no chip");

            public bool IsMeasuring() => false;

            public bool Read(out long temperature, out long humidity, out long pressure, out long gasResistance)
            {
                temperature = humidity = pressure = gasResistance = 0;
                return false;
            }

            public void Close()
            {
            }
        }
    }
}
