using CityNode.Drivers.AnalogProbes.Sim;
using CityNode.Drivers.AtlasEzo;
using CityNode.Drivers.AtlasEzo.Sim;
using CityNode.Drivers.Bmxx80.Sim;
using CityNode.Drivers.Pms5003.Sim;
using CityNode.Drivers.Scd4x.Sim;
using CityNode.Drivers.Sds011.Sim;
using CityNode.Host.Sim;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// The physical side of a simulated node: its simulated chips and probes on their buses, fed from
/// the world around it, and the config lines that tell the firmware what is attached. It outlives
/// resets (the chips keep power), while the drivers are rebuilt at every boot.
/// </summary>
public sealed class NodeHardware
{
    private NodeHardware(string kind, World world, SimBusProvider buses, string sensorLines)
    {
        Kind = kind;
        World = world;
        Buses = buses;
        SensorLines = sensorLines;
    }

    public string Kind { get; }

    public World World { get; }

    public SimBusProvider Buses { get; }

    /// <summary><c>sensor.NAME = ...</c> lines for the node config.</summary>
    public string SensorLines { get; }

    public SimBme280? Bme { get; private set; }

    public SimPms5003? Pms { get; private set; }

    public SimSds011? Sds { get; private set; }

    public SimScd41? Scd { get; private set; }

    public Dictionary<EzoKind, SimEzo> Ezo { get; } = new();

    /// <summary>
    /// An air node: BME280 (0x76), a particulate sensor (SDS011 on COM2, or PMS5003 when
    /// <paramref name="usePms"/>), SCD41 (0x62). Temperature, humidity, pressure and PM come from the
    /// Sensor.Community recording, CO2 from the UCI one; PM1 (PMS5003 only) is not recorded and is
    /// fed as 0.7 × PM2.5, unchecked. CO2 is checked within ±1 ppm: the SCD41 takes the pressure it
    /// compensates with in whole hPa, worth ±0.05 % of the reading.
    /// </summary>
    public static NodeHardware Air(VirtualClock clock, Environment air, Environment co2, bool usePms)
    {
        var world = new World().Add(air).Add(co2);
        var buses = new SimBusProvider(clock);
        var hw = new NodeHardware("air", world, buses, "sensor.bme280 = i2c:0x76\n" + (usePms ? "sensor.pms5003 = uart:COM2\n" : "sensor.sds011 = uart:COM2\n") + "sensor.scd41 = i2c:0x62\n");
        var bus = buses.SimI2c(1);
        long Now() => clock.UnixSeconds;
        var t = new ChannelSpec(Channels.AirTemperature, Units.Celsius, 1, -2);
        var rh = new ChannelSpec(Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -2);
        var p = new ChannelSpec(Channels.AirPressure, Units.Pascal, 1, 0);
        hw.Bme = new SimBme280(() => clock.MonotonicMs, () => (world.Value(t.Id, Now(), t), world.Value(rh.Id, Now(), rh), world.Value(p.Id, Now(), p)));
        bus.Attach(0x76, hw.Bme);
        if (usePms)
        {
            var whole = new ChannelSpec(Channels.Pm25, Units.MicrogramPerCubicMetre, 1, 0);
            var whole10 = new ChannelSpec(Channels.Pm10, Units.MicrogramPerCubicMetre, 1, 0);
            hw.Pms = new SimPms5003(() => (Math.Round(world.Raw(Channels.Pm25, Now()) * 0.7), world.Value(Channels.Pm25, Now(), whole), world.Value(Channels.Pm10, Now(), whole10)));
            buses.Attach("COM2", hw.Pms);
        }
        else
        {
            var tenth = new ChannelSpec(Channels.Pm25, Units.MicrogramPerCubicMetre, 1, -1);
            var tenth10 = new ChannelSpec(Channels.Pm10, Units.MicrogramPerCubicMetre, 1, -1);
            hw.Sds = new SimSds011(() => (world.Value(Channels.Pm25, Now(), tenth), world.Value(Channels.Pm10, Now(), tenth10)));
            buses.Attach("COM2", hw.Sds);
        }

        co2.WithTolerance(Channels.Co2, 1);
        var ppm = new ChannelSpec(Channels.Co2, Units.PartsPerMillion, 1, 0);
        hw.Scd = new SimScd41(() => clock.MonotonicMs, () => (world.Value(ppm.Id, Now(), ppm), world.Raw(t.Id, Now()), world.Raw(rh.Id, Now()), world.Raw(p.Id, Now())));
        bus.Attach(0x62, hw.Scd);
        return hw;
    }

    /// <summary>
    /// A water node: EZO RTD, pH, EC, DO and ORP circuits and an analog turbidity probe (ADC 6,
    /// 3:2 divider), from the USGS recording. ORP is not recorded there and is fed as 250 mV with a
    /// daily ±15 mV swing; turbidity is checked within ±15 NTU: near clear water a millivolt is ~4 NTU on
    /// that probe, and the ESP32 ADC (12 bits over 3.1 V behind a 3:2 divider, plus noise) resolves ~1–3 mV.
    /// </summary>
    public static NodeHardware Water(VirtualClock clock, Environment water)
    {
        water.MapFunction(Channels.Orp, t => 250 + (15 * Math.Sin(t * 2 * Math.PI / 86400)))
             .WithTolerance(Channels.Turbidity, 15);
        var world = new World().Add(water);
        var buses = new SimBusProvider(clock);
        var hw = new NodeHardware("water", world, buses,
            "sensor.ezo_rtd = i2c:0x66\nsensor.ezo_ph = i2c:0x63\nsensor.ezo_ec = i2c:0x64\nsensor.ezo_do = i2c:0x61\nsensor.ezo_orp = i2c:0x62\nsensor.turbidity = adc:6,divider=3/2\n");
        var bus = buses.SimI2c(1);
        long Now() => clock.UnixSeconds;
        SimEzo.Water Sample()
        {
            long t = Now();
            return new SimEzo.Water(
                world.Value(Channels.WaterTemperature, t, EzoCircuit.Spec(EzoKind.Rtd)),
                world.Value(Channels.Ph, t, EzoCircuit.Spec(EzoKind.Ph)),
                world.Value(Channels.Conductivity, t, EzoCircuit.Spec(EzoKind.Ec)),
                world.Value(Channels.DissolvedOxygen, t, EzoCircuit.Spec(EzoKind.Do)),
                world.Value(Channels.Orp, t, EzoCircuit.Spec(EzoKind.Orp)));
        }

        foreach (var kind in new[] { EzoKind.Rtd, EzoKind.Ph, EzoKind.Ec, EzoKind.Do, EzoKind.Orp })
        {
            var chip = new SimEzo(kind, () => clock.MonotonicMs, Sample);
            hw.Ezo[kind] = chip;
            bus.Attach((int)kind, chip);
        }

        buses.SimAdc.NoiseMillivolts = 1;
        buses.SimAdc.Connect(6, () => AnalogProbeModels.TurbidityMillivolts(world.Raw(Channels.Turbidity, Now())) * 2 / 3);
        return hw;
    }
}
