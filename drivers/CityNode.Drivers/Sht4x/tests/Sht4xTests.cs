using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Drivers.Sht4x;
using CityNode.Drivers.Sht4x.Sim;
using CityNode.Host.Data;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.Sensors;
using CityNode.Telemetry;
using CityNode.Tests.Device;
using Xunit;

namespace CityNode.Tests.Drivers;

public class Sht4xTests
{
    private sealed class Rig
    {
        public readonly VirtualClock Clock = new(1_700_000_000);
        public readonly SimI2cBus Bus = new();
        public readonly SimSht4x Chip;
        public readonly Sht4x Driver;
        public double Temperature = 21.37;
        public double Humidity = 48.2;

        public Rig(byte measure = Sht4x.MeasureHigh)
        {
            Chip = new SimSht4x(() => Clock.MonotonicMs, () => (Temperature, Humidity));
            Bus.Attach(0x44, Chip);
            Driver = new Sht4x(Bus, Clock, 0x44, measure);
        }

        public (long T, long Rh)? Read()
        {
            Assert.Equal(FetchResult.Ok, Driver.Trigger(new SampleFrame(4), out int wait));
            Clock.Delay(wait);
            if (Driver.Fetch() != FetchResult.Ok)
            {
                Assert.False(Driver.TryGet(0, out _) || Driver.TryGet(1, out _), "no value after a failed fetch");
                return null;
            }

            Assert.True(Driver.TryGet(0, out long t) & Driver.TryGet(1, out long rh));
            return (t, rh);
        }
    }

    [Fact]
    public void Conversion_follows_the_datasheet_formulas()
    {
        // T = -45 + 175·S/65535: 0x6666 (26214) is exactly 25 °C; the ends are -45 and 130 °C.
        Assert.Equal(25_000_000, Sht4x.TemperatureMicro(26214));
        Assert.Equal(-45_000_000, Sht4x.TemperatureMicro(0));
        Assert.Equal(130_000_000, Sht4x.TemperatureMicro(65535));

        // RH = -6 + 125·S/65535: 0x8000 is 56.500954 %RH; the formula's -6 and 119 are clipped to 0 and 100.
        Assert.Equal(56_500_954, Sht4x.HumidityMicro(32768));
        Assert.Equal(0, Sht4x.HumidityMicro(0));
        Assert.Equal(0, Sht4x.HumidityMicro(3145)); // -0.0003 %RH
        Assert.Equal(100_000_000, Sht4x.HumidityMicro(65535));
    }

    [Fact]
    public void Setup_soft_resets_and_reads_the_crc_checked_serial_number()
    {
        var rig = new Rig();
        Assert.Equal(FetchResult.Ok, rig.Driver.Setup());
        Assert.Equal(0x0F3A52C1L, rig.Driver.SerialNumber);

        var absent = new Rig();
        absent.Chip.Absent = true;
        Assert.Equal(FetchResult.NotPresent, absent.Driver.Setup());

        var corrupt = new Rig();
        corrupt.Chip.CorruptReads = 1;
        Assert.Equal(FetchResult.CrcError, corrupt.Driver.Setup());
    }

    [Theory]
    [InlineData(Sht4x.MeasureHigh, 9)]   // 8.3 ms max
    [InlineData(Sht4x.MeasureMedium, 5)] // 4.5 ms max
    [InlineData(Sht4x.MeasureLow, 2)]    // 1.6 ms max
    public void Each_repeatability_is_read_after_its_maximum_duration_and_nacked_before(byte command, int waitMs)
    {
        var rig = new Rig(command);
        Assert.Equal(FetchResult.Ok, rig.Driver.Trigger(new SampleFrame(4), out int wait));
        Assert.Equal(waitMs, wait);
        Assert.Equal(command, rig.Chip.LastMeasureCommand);

        rig.Clock.Delay(wait - 1); // the conversion may still run: the read header is NACKed
        Assert.Equal(FetchResult.Nack, rig.Driver.Fetch());
        Assert.False(rig.Driver.TryGet(0, out _));

        rig.Clock.Delay(1);
        Assert.Equal(FetchResult.Ok, rig.Driver.Fetch());
        Assert.True(rig.Driver.TryGet(0, out long t));
        Assert.Equal(21_371_023, t); // the sim's nearest ticks (24855) converted back

        Assert.Equal(FetchResult.Nack, rig.Driver.Fetch()); // a measurement is read once
    }

    [Fact]
    public void The_sensor_is_busy_after_a_soft_reset_and_a_measurement_command()
    {
        var rig = new Rig();
        var bus = rig.Bus;
        Assert.Equal(CityNode.Hal.I2cStatus.Ok, bus.Write(0x44, [0x94], 0, 1));
        Assert.Equal(CityNode.Hal.I2cStatus.Nack, bus.Write(0x44, [0xFD], 0, 1)); // within the 1 ms reset
        rig.Clock.Delay(1);
        Assert.Equal(CityNode.Hal.I2cStatus.Ok, bus.Write(0x44, [0xFD], 0, 1));
        Assert.Equal(CityNode.Hal.I2cStatus.Nack, bus.Write(0x44, [0xF6], 0, 1)); // still measuring
        rig.Clock.Delay(9);
        Assert.Equal(CityNode.Hal.I2cStatus.Nack, bus.Write(0x44, [0x39], 0, 1)); // heater commands are not simulated
        var reply = new byte[6];
        Assert.Equal(CityNode.Hal.I2cStatus.Ok, bus.Read(0x44, reply, 0, 6));
        Assert.Equal(SimSht4x.TemperatureTicks(21.37), (reply[0] << 8) | reply[1]);
        Assert.Equal(SimSht4x.HumidityTicks(48.2), (reply[3] << 8) | reply[4]);
        Assert.Equal(24855, SimSht4x.TemperatureTicks(21.37)); // (21.37 + 45) · 65535 / 175, rounded
        Assert.Equal(28416, SimSht4x.HumidityTicks(48.2));     // (48.2 + 6) · 65535 / 125, rounded
    }

    [Fact]
    public void A_crc_error_is_a_fault_never_the_previous_value()
    {
        var rig = new Rig();
        Assert.Equal(FetchResult.Ok, rig.Driver.Setup());
        Assert.NotNull(rig.Read());
        rig.Temperature = 30;
        rig.Chip.CorruptReads = 1;
        Assert.Null(rig.Read());
        Assert.Equal(1, rig.Driver.CrcErrors);
        Assert.Equal(3000, CityNode.Util.IntMath.DivRound(rig.Read()!.Value.T, 10_000)); // the next measurement is fine: 30.00 °C
    }

    [Fact]
    public void A_sensor_that_leaves_the_bus_gives_a_fault_not_a_stale_reading()
    {
        var rig = new Rig();
        var sampler = new Sampler([rig.Driver], rig.Clock);
        var frame = new SampleFrame(2);
        sampler.Setup();
        sampler.Sample(frame, rig.Clock.UnixSeconds);
        Assert.Equal([ReadingStatus.Ok, ReadingStatus.Ok], frame.Status[..2]);
        rig.Chip.Absent = true;
        sampler.Sample(frame, rig.Clock.UnixSeconds);
        Assert.Equal([ReadingStatus.Fault, ReadingStatus.Fault], frame.Status[..2]);
        Assert.Equal(FetchResult.Nack, sampler.LastResult(0));
    }

    [Fact]
    public void Every_value_the_sim_is_given_at_channel_resolution_is_read_back_exactly()
    {
        var rig = new Rig();
        for (int centi = -4000; centi <= 12500; centi += 37)
        {
            rig.Temperature = centi / 100.0;
            rig.Humidity = Math.Clamp(centi / 125.0, 0, 100);
            var r = rig.Read()!.Value;
            Assert.Equal(centi, CityNode.Util.IntMath.DivRound(r.T, 10_000));
            Assert.Equal((long)Math.Round(rig.Humidity * 100), CityNode.Util.IntMath.DivRound(r.Rh, 10_000));
        }
    }

    [Fact]
    public void Wiring_accepts_the_three_part_addresses_only()
    {
        foreach (int address in new[] { 0x44, 0x45, 0x46 })
        {
            Assert.Single(SensorWiring.Check(ConfigDocument.Parse($"sensor.sht4x = i2c:0x{address:X2}\n"), null));
        }

        var e = Assert.Throws<ConfigException>(() => SensorWiring.Check(ConfigDocument.Parse("sensor.sht4x = i2c:0x40\n"), null));
        Assert.Equal("line 1: sensor.sht4x: 0x40 is not a sht4x address: 0x44 (SHT40/41/45-AD1B), 0x45 (SHT40-BD1B) or 0x46 (SHT40-CD1B): the part number fixes it", e.Message);
    }

    /// <summary>
    /// The ESP32 program on the nanoFramework twin, configured with <c>sensor.sht4x = i2c:0x44</c>,
    /// reads the simulated SHT4x through the twin's I2C and delivers every reading, equal at channel
    /// resolution to the recorded air it was fed.
    /// </summary>
    [Fact]
    public async Task A_node_configured_with_an_sht4x_delivers_its_readings()
    {
        await using var rig = await DeviceRig.StartAsync();
        var air = Recording.Load(Paths.Data(RecordingKind.Air.Bundled));
        long start = CitySimulation.Present(air.Times[0]);
        var clock = new VirtualClock(start);
        var hw = NodeHardware.ForSensors(clock, [("sht4x", "i2c:0x44")], new World().Add(RecordingKind.Air.Around(air, 0, start)));
        Assert.Equal("sensor.sht4x = i2c:0x44\n", hw.SensorLines);
        var node = rig.Add(new DeviceNode(1, clock, hw, rig.Address, "node.id = 1\nsample = 60s\npublish = 15m\n", new NodeStorage(16)));
        rig.Run(TimeSpan.FromMinutes(30));
        Assert.True(node.Flush());
        await rig.SettleAsync();

        var chip = Assert.IsType<SimSht4x>(Assert.Single(hw.Chips));
        Assert.True(chip.Measurements >= 25, $"{chip.Measurements} measurements");
        foreach (var (channel, spec) in new[] { (Channels.AirTemperature, new ChannelSpec(Channels.AirTemperature, Units.Celsius, 1, -2)), (Channels.RelativeHumidity, new ChannelSpec(Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -2)) })
        {
            var readings = rig.Readings(node.Id, channel).ToList();
            Assert.True(readings.Count >= 25, $"{Channels.Name(channel)}: {readings.Count} readings");
            Assert.All(readings, r => Assert.Equal(ReadingStatus.Ok, r.Status));
            Assert.All(readings, r => Assert.Equal(hw.World.Value(channel, r.Time, spec), (double)r.Value!.Value, 6));
        }
    }
}
