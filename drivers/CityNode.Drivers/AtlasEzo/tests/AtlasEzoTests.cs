using CityNode.Drivers.AtlasEzo;
using CityNode.Drivers.AtlasEzo.Sim;
using CityNode.Drivers.Bmxx80;
using CityNode.Drivers.Bmxx80.Sim;
using CityNode.Host.Ports;
using CityNode.Host.SimulatedHal;
using CityNode.Sensors;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Drivers;

public class AtlasEzoTests
{
    private sealed class Rig
    {
        public readonly VirtualClock Clock = new(1_700_000_000);
        public readonly SimI2cBus Bus = new();
        public readonly Dictionary<EzoKind, SimEzo> Chips = new();
        public readonly Dictionary<EzoKind, EzoCircuit> Circuits = new();
        public readonly Sampler Sampler;
        public readonly SampleFrame Frame;
        public SimEzo.Water Water = new(10.0, 9.0, 500, 8.0, 235.5);
        public double AirPa = 101_325;

        public Rig(EzoKind[] kinds, bool withBme = false)
        {
            var sensors = new List<ISensor>();
            if (withBme)
            {
                Bus.Attach(0x76, new SimBme280(() => Clock.MonotonicMs, () => (15.0, 60.0, AirPa)));
                sensors.Add(new Bmxx80Sensor(new BindingBme280Port(Bus, 0x76)));
            }

            foreach (var k in kinds)
            {
                var chip = new SimEzo(k, () => Clock.MonotonicMs, () => Water with { PressureKpa = AirPa / 1000 });
                Chips[k] = chip;
                Bus.Attach((int)k, chip);
                Circuits[k] = new EzoCircuit(Bus, Clock, k, (int)k);
                sensors.Add(Circuits[k]);
            }

            Sampler = new Sampler(sensors.ToArray(), Clock);
            Frame = new SampleFrame(Sampler.ChannelCount);
            Sampler.Setup();
        }

        public (long Micro, byte Status) Read(int channelId)
        {
            Sampler.Wake();
            Sampler.Sample(Frame, Clock.UnixSeconds);
            Sampler.Sleep();
            Clock.Advance(60_000);
            int i = Frame.Find(channelId);
            var spec = Frame.Channels[i];
            return (Frame.Values[i] * Resolution.MicroPerStep(spec.Mantissa, spec.Exponent), Frame.Status[i]);
        }
    }

    [Fact]
    public void Oxygen_solubility_matches_the_usgs_table()
    {
        // USGS Office of Water Quality Technical Memorandum 2011.03 (Benson & Krause): fresh water at
        // 760 mm Hg holds 9.09 mg/L at 20 °C, 11.29 at 10 °C, 7.56 at 30 °C.
        Assert.Equal(9.09, WaterPhysics.OxygenSolubility(20, 0, 101.325), 2);
        Assert.Equal(11.29, WaterPhysics.OxygenSolubility(10, 0, 101.325), 2);
        Assert.Equal(7.56, WaterPhysics.OxygenSolubility(30, 0, 101.325), 2);
    }

    [Fact]
    public void Ph_is_compensated_with_the_rtd_temperature()
    {
        // Nernst: at 10 °C the electrode gives 56.19 mV/pH, not 59.16; uncompensated, pH 9 reads
        // 7 + 2 × 283.15 / 298.15 = 8.899 (EZO-pH datasheet, "Temperature compensation").
        var alone = new Rig(new[] { EzoKind.Ph });
        Assert.Equal((8_899_000, ReadingStatus.Ok), alone.Read(Channels.Ph));
        var withRtd = new Rig(new[] { EzoKind.Rtd, EzoKind.Ph });
        Assert.Equal((9_000_000, ReadingStatus.Ok), withRtd.Read(Channels.Ph));
        Assert.Equal(10.0, withRtd.Chips[EzoKind.Ph].TemperatureCompensation);
        Assert.Equal(10_000_000, withRtd.Read(Channels.WaterTemperature).Micro);
    }

    [Fact]
    public void Conductivity_is_referred_to_25_degrees()
    {
        // 500 µS/cm at 25 °C conducts 350 µS/cm at 10 °C (2 %/°C × 15 °C); the circuit refers it back when told the temperature.
        Assert.Equal(350_000_000, new Rig(new[] { EzoKind.Ec }).Read(Channels.Conductivity).Micro);
        Assert.Equal(500_000_000, new Rig(new[] { EzoKind.Rtd, EzoKind.Ec }).Read(Channels.Conductivity).Micro);
    }

    [Fact]
    public void Dissolved_oxygen_gets_temperature_salinity_and_pressure()
    {
        // Brackish water on a hill: 15 °C, 5000 µS/cm (3.2 ppt), 90 kPa. Every compensation matters.
        var rig = new Rig(new[] { EzoKind.Rtd, EzoKind.Ec, EzoKind.Do }, withBme: true) { AirPa = 90_000 };
        rig.Water = new SimEzo.Water(15.0, 7.5, 5000, 8.0, 200);
        var r = rig.Read(Channels.DissolvedOxygen);
        Assert.Equal((8_000_000, ReadingStatus.Ok), r);
        var chip = rig.Chips[EzoKind.Do];
        Assert.Equal(15.0, chip.TemperatureCompensation);
        Assert.Equal(5000, chip.SalinityCompensation);
        Assert.Equal(90.0, chip.PressureCompensation, 2);

        var bare = new Rig(new[] { EzoKind.Do }) { AirPa = 90_000 };
        bare.Water = rig.Water;
        Assert.NotEqual(8_000_000, bare.Read(Channels.DissolvedOxygen).Micro);
    }

    [Fact]
    public void Sleeps_between_samples_and_wakes()
    {
        var rig = new Rig(new[] { EzoKind.Orp });
        Assert.Equal((235_500_000, ReadingStatus.Ok), rig.Read(Channels.Orp));
        Assert.True(rig.Chips[EzoKind.Orp].Asleep);
        Assert.Equal((235_500_000, ReadingStatus.Ok), rig.Read(Channels.Orp));
    }

    [Fact]
    public void Faults_nack_syntax_error_busy_garbage_and_no_probe()
    {
        var rig = new Rig(new[] { EzoKind.Rtd, EzoKind.Ph });
        var rtd = rig.Chips[EzoKind.Rtd];
        var ph = rig.Chips[EzoKind.Ph];

        ph.Absent = true;
        Assert.Equal(ReadingStatus.Fault, rig.Read(Channels.Ph).Status);
        Assert.Equal(FetchResult.Nack, rig.Sampler.LastResult(1));
        Assert.Equal(ReadingStatus.Ok, rig.Read(Channels.WaterTemperature).Status); // one failing sensor never stops the others
        ph.Absent = false;

        ph.ForceSyntaxError = true;
        rig.Read(Channels.Ph);
        Assert.Equal(FetchResult.DeviceError, rig.Sampler.LastResult(1));
        ph.ForceSyntaxError = false;

        ph.StuckProcessing = true;
        rig.Read(Channels.Ph);
        Assert.Equal(FetchResult.Timeout, rig.Sampler.LastResult(1));
        ph.StuckProcessing = false;

        ph.Garbage = true;
        rig.Read(Channels.Ph);
        Assert.Equal(FetchResult.DeviceError, rig.Sampler.LastResult(1));
        ph.Garbage = false;
        Assert.Equal((9_000_000, ReadingStatus.Ok), rig.Read(Channels.Ph));

        rtd.NoProbe = true;
        var r = rig.Read(Channels.WaterTemperature);
        Assert.Equal(ReadingStatus.Invalid, r.Status);
        Assert.Equal(FetchResult.OutOfRange, rig.Sampler.LastResult(0));
    }

    [Fact]
    public void Calibration_commands_remove_the_probe_offset()
    {
        var rig = new Rig(new[] { EzoKind.Rtd, EzoKind.Ph });
        var chip = rig.Chips[EzoKind.Ph];
        chip.ProbeOffsetMv = 15; // a new electrode, never calibrated
        long before = rig.Read(Channels.Ph).Micro;
        Assert.InRange(Math.Abs(before - 9_000_000), 200_000, 400_000);

        // In a pH 7.00 buffer at the same temperature: Cal,mid,7.00 (EZO-pH datasheet, "Calibration").
        rig.Water = rig.Water with { Ph = 7.0 };
        var circuit = rig.Circuits[EzoKind.Ph];
        rig.Sampler.Wake();
        Assert.Equal(FetchResult.Ok, circuit.Calibrate("mid,7.00"));
        Assert.Equal(1, circuit.CalibrationPoints());

        rig.Water = rig.Water with { Ph = 9.0 };
        Assert.InRange(rig.Read(Channels.Ph).Micro, 8_990_000, 9_010_000);
    }

    [Fact]
    public void Wrong_circuit_at_the_address_is_refused()
    {
        var clock = new VirtualClock(0);
        var bus = new SimI2cBus();
        bus.Attach(0x63, new SimEzo(EzoKind.Orp, () => clock.MonotonicMs, () => default));
        Assert.NotEqual(FetchResult.Ok, new EzoCircuit(bus, clock, EzoKind.Ph, 0x63).Setup());
    }
}
