using CityNode.Drivers.Bmxx80;
using CityNode.Drivers.Bmxx80.Sim;
using CityNode.Host.Ports;
using CityNode.Host.SimulatedHal;
using CityNode.Sensors;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Drivers;

public class Bme280Tests
{
    private sealed class Rig
    {
        public readonly VirtualClock Clock = new(1_700_000_000);
        public readonly SimI2cBus Bus = new();
        public (double T, double H, double P) Air = (21.37, 54.21, 101_325);
        public readonly SimBme280 Chip;
        public readonly Bmxx80Sensor Sensor;
        public readonly Sampler Sampler;
        public readonly SampleFrame Frame;

        public Rig()
        {
            Chip = new SimBme280(() => Clock.MonotonicMs, () => Air);
            Bus.Attach(0x76, Chip);
            Sensor = new Bmxx80Sensor(new BindingBme280Port(Bus, 0x76));
            Sampler = new Sampler(new ISensor[] { Sensor }, Clock);
            Frame = new SampleFrame(Sampler.ChannelCount);
        }

        public (int T, int H, int P, byte S) Sample()
        {
            Sampler.Wake();
            Sampler.Sample(Frame, Clock.UnixSeconds);
            return (Frame.Values[0], Frame.Values[1], Frame.Values[2], Frame.Status[0]);
        }
    }

    [Fact]
    public void Compensation_matches_the_BMP280_datasheet_worked_example()
    {
        // BST-BMP280-DS001 §3.12 (same trimming as our simulated chip): adc_T = 519888 → 25.08 °C,
        // t_fine = 128422; adc_P = 415148 → 100653.27 Pa.
        var chip = new SimBme280(() => 0, () => (0, 0, 0));
        Assert.Equal(25.08, chip.CompensateTemperature(519888), 2);
        Assert.Equal(128422, (int)chip.TFine(519888));
        Assert.Equal(100653.27, chip.CompensatePressure(415148, 128422), 0);
    }

    [Theory]
    [InlineData(6.99, 74.67, 102235)]
    [InlineData(-12.5, 98.01, 98000)]
    [InlineData(33.01, 5.5, 104500)]
    public void Binding_reads_back_the_physical_values_at_channel_resolution(double t, double h, double p)
    {
        var rig = new Rig { Air = (t, h, p) };
        Assert.True(rig.Sampler.Channels.Length == 3);
        rig.Sampler.Setup();
        var (T, H, P, s) = rig.Sample();
        Assert.Equal(ReadingStatus.Ok, s);
        Assert.Equal((int)Math.Round(t * 100), T);
        Assert.Equal((int)Math.Round(h * 100), H);
        Assert.Equal((int)Math.Round(p), P);
        Assert.Equal(1, rig.Chip.Conversions);
    }

    [Fact]
    public void Absent_chip_is_marked_failed_and_probed_again_later()
    {
        var rig = new Rig();
        rig.Chip.Absent = true;
        rig.Sampler.Setup();
        Assert.False(rig.Sampler.IsPresent(0));
        var first = rig.Sample();
        Assert.Equal(ReadingStatus.Missing, first.S);

        rig.Chip.Absent = false;
        for (int i = 0; i < Sampler.SetupRetryCycles; i++)
        {
            rig.Sample();
        }

        Assert.True(rig.Sampler.IsPresent(0));
        Assert.Equal(ReadingStatus.Ok, rig.Sample().S);
    }

    [Fact]
    public void Wrong_chip_id_is_refused()
    {
        var rig = new Rig();
        rig.Chip.WrongChipId = 0x58; // a BMP280 has no humidity
        rig.Sampler.Setup();
        Assert.False(rig.Sampler.IsPresent(0));
    }

    [Fact]
    public void Stuck_conversion_is_a_fault_not_an_old_value()
    {
        var rig = new Rig();
        rig.Sampler.Setup();
        Assert.Equal(ReadingStatus.Ok, rig.Sample().S);
        rig.Chip.StuckMeasuring = true;
        var r = rig.Sample();
        Assert.Equal(ReadingStatus.Fault, r.S);
        Assert.Equal(FetchResult.Timeout, rig.Sampler.LastResult(0));
    }

    [Fact]
    public void Nack_mid_life_is_a_fault_and_the_sensor_recovers_after_reset()
    {
        var rig = new Rig();
        rig.Sampler.Setup();
        rig.Sample();
        rig.Chip.Absent = true;
        Assert.Equal(ReadingStatus.Fault, rig.Sample().S);
        rig.Chip.Absent = false;
        rig.Air = (10.0, 50.0, 100000);
        var r = rig.Sample();
        Assert.Equal(ReadingStatus.Ok, r.S);
        Assert.Equal(1000, r.T);
    }
}
