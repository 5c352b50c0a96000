using CityNode.Drivers.Bmxx80;
using CityNode.Drivers.Common;
using CityNode.Drivers.Bmxx80.Sim;
using CityNode.Drivers.Scd4x;
using CityNode.Drivers.Scd4x.Sim;
using CityNode.Host.Ports;
using CityNode.Host.SimulatedHal;
using CityNode.Sensors;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Drivers;

public class Scd4xTests
{
    private sealed class Rig
    {
        public readonly VirtualClock Clock = new(1_700_000_000);
        public readonly SimI2cBus Bus = new();
        public readonly SimScd41 Chip;
        public readonly Scd4x Driver;
        public readonly Sampler Sampler;
        public readonly SampleFrame Frame;
        public double Co2 = 612;
        public double Pressure = 101_325;

        public Rig(bool withBme = true)
        {
            Chip = new SimScd41(() => Clock.MonotonicMs, () => (Co2, 21.0, 45.0, Pressure));
            Bus.Attach(0x62, Chip);
            var sensors = new List<ISensor>();
            if (withBme)
            {
                Bus.Attach(0x76, new SimBme280(() => Clock.MonotonicMs, () => (21.0, 45.0, Pressure)));
                sensors.Add(new Bmxx80Sensor(new BindingBme280Port(Bus, 0x76)));
            }

            Driver = new Scd4x(Bus, Clock, 0);
            sensors.Add(Driver);
            Sampler = new Sampler(sensors.ToArray(), Clock);
            Frame = new SampleFrame(Sampler.ChannelCount);
            Sampler.Setup();
        }

        public (int Co2, byte Status) Cycle()
        {
            Sampler.Wake();
            Sampler.Sample(Frame, Clock.UnixSeconds);
            Sampler.Sleep();
            Clock.Advance(60_000);
            int i = Frame.Find(Channels.Co2);
            return (Frame.Values[i], Frame.Status[i]);
        }
    }

    [Fact]
    public void Crc8_matches_the_datasheet_example()
    {
        // SCD4x datasheet §3.11, "CRC-8 ... Example: CRC(0xBEEF) = 0x92".
        Assert.Equal(0x92, SensirionCrc.Compute(0xBE, 0xEF));
    }

    [Fact]
    public void Single_shot_with_pressure_from_the_bme_and_power_down_between()
    {
        var rig = new Rig { Pressure = 92_000 }; // a hill: 920 hPa
        Assert.True(rig.Sampler.IsPresent(1));
        var r = rig.Cycle();
        Assert.Equal((612, ReadingStatus.Ok), r);
        Assert.Equal(920, rig.Chip.AssumedPressureHpa);
        Assert.True(rig.Chip.Asleep, "powered down between samples");
        Assert.Equal(2, rig.Chip.SingleShots); // the first after wake-up is discarded
    }

    [Fact]
    public void Without_pressure_compensation_the_reading_is_off_at_altitude()
    {
        var rig = new Rig(withBme: false) { Pressure = 92_000 };
        var r = rig.Cycle();
        Assert.Equal(ReadingStatus.Ok, r.Status);
        Assert.Equal((int)Math.Round(612 * 920 / 1013.0), r.Co2); // what compensation fixes
    }

    [Fact]
    public void A_corrupt_crc_is_a_fault_and_no_value_is_kept()
    {
        var rig = new Rig();
        Assert.Equal(ReadingStatus.Ok, rig.Cycle().Status);
        rig.Chip.CorruptReads = 2; // the discarded shot and the data-ready word
        var r = rig.Cycle();
        Assert.Equal(ReadingStatus.Fault, r.Status);
        Assert.Equal(FetchResult.CrcError, rig.Sampler.LastResult(1));
        Assert.True(rig.Driver.CrcErrors > 0);
        Assert.False(rig.Driver.TryGet(0, out _));
    }

    [Fact]
    public void Never_ready_and_absent_are_faults_and_it_recovers()
    {
        var rig = new Rig();
        rig.Chip.NeverReady = true;
        rig.Cycle();
        Assert.Equal(FetchResult.NotReady, rig.Sampler.LastResult(1));
        rig.Chip.NeverReady = false;
        Assert.Equal(ReadingStatus.Ok, rig.Cycle().Status);

        rig.Chip.Absent = true;
        Assert.Equal(ReadingStatus.Fault, rig.Cycle().Status);
        Assert.Equal(FetchResult.Nack, rig.Sampler.LastResult(1));
        rig.Chip.Absent = false;
        rig.Co2 = 800;
        Assert.Equal((800, ReadingStatus.Ok), rig.Cycle());
    }

    [Fact]
    public void Missing_at_boot_is_probed_again()
    {
        var rig = new Rig();
        var scd = new SimScd41(() => rig.Clock.MonotonicMs, () => (500, 20, 40, 101_325)) { Absent = true };
        var bus = new SimI2cBus();
        bus.Attach(0x62, scd);
        var sampler = new Sampler(new ISensor[] { new Scd4x(bus, rig.Clock, 0) }, rig.Clock);
        sampler.Setup();
        Assert.False(sampler.IsPresent(0));
        scd.Absent = false;
        var frame = new SampleFrame(1);
        for (int i = 0; i < Sampler.SetupRetryCycles; i++)
        {
            sampler.Wake();
            sampler.Sample(frame, 0);
            sampler.Sleep();
        }

        Assert.True(sampler.IsPresent(0));
    }
}
