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
    /// Solders this hardware to an ESP32 twin the way the board profile says a technician wires it:
    /// I2C port N on the profile's pins.i2cN_sda/scl (the firmware's defaults where it names none),
    /// serial devices on pins.comN_rx/tx, probes on their ADC channels.
    /// </summary>
    public void WireTo(CityNode.NanoTwin.TwinBoard board, CityNode.Config.BoardProfile profile)
    {
        int Pin(string key, int fallback) => int.TryParse(profile.Document.Get(key), out int p) ? p : fallback;
        foreach (var (id, bus) in Buses.I2cBuses)
        {
            board.Wiring.AttachI2c(Pin($"pins.i2c{id}_sda", id == 2 ? 25 : 18), Pin($"pins.i2c{id}_scl", id == 2 ? 26 : 19), bus);
        }

        foreach (var (port, line) in Buses.Uarts)
        {
            string n = port.ToLowerInvariant();
            board.Wiring.AttachSerial(Pin($"pins.{n}_rx", -1), Pin($"pins.{n}_tx", -1), line);
        }

        foreach (int channel in Buses.SimAdc.Channels)
        {
            board.Wiring.AttachAnalog(channel, () => (int)Math.Round(Buses.SimAdc.PinMillivolts(channel)));
        }
    }

    /// <summary>EZO circuits at their default addresses, all answering from the world's water at the clock's time.</summary>
    private void AttachEzo(SimI2cBus bus, VirtualClock clock, params EzoKind[] kinds)
    {
        SimEzo.Water Sample()
        {
            long t = clock.UnixSeconds;
            return new SimEzo.Water(
                World.Value(Channels.WaterTemperature, t, EzoCircuit.Spec(EzoKind.Rtd)),
                World.Value(Channels.Ph, t, EzoCircuit.Spec(EzoKind.Ph)),
                World.Value(Channels.Conductivity, t, EzoCircuit.Spec(EzoKind.Ec)),
                World.Value(Channels.DissolvedOxygen, t, EzoCircuit.Spec(EzoKind.Do)),
                World.Value(Channels.Orp, t, EzoCircuit.Spec(EzoKind.Orp)));
        }

        foreach (var kind in kinds)
        {
            var chip = new SimEzo(kind, () => clock.MonotonicMs, Sample);
            Ezo[kind] = chip;
            bus.Attach((int)kind, chip);
        }
    }

    /// <summary>
    /// An air node: BME280 (0x76), a particulate sensor (SDS011 on COM2, or PMS5003 when
    /// <paramref name="usePms"/>), SCD41 (0x62). Temperature, humidity, pressure and PM come from the
    /// Sensor.Community recording, CO2 from the UCI one; PM1 (PMS5003 only) is not recorded and is
    /// fed as 0.7 × PM2.5, unchecked. CO2 is checked within ±1 ppm: the SCD41 takes the pressure it
    /// compensates with in whole hPa, worth ±0.05 % of the reading.
    /// </summary>
    public static NodeHardware Air(VirtualClock clock, Surroundings air, Surroundings co2, bool usePms)
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
    /// Hardware for any list of attached sensors, each at its config placement (<c>sensor.NAME = WHERE</c>:
    /// <c>i2c[1|2]:ADDRESS</c>, <c>uart:PORT</c>, <c>adc:CHANNEL[,divider=N/D]</c>), with the simulated chip
    /// that exists for it: BME280 (any address), SDS011 and PMS5003 on their port, SCD41, the EZO
    /// circuits, and the analog turbidity, TDS and pH probes on their ADC channel. Values come from
    /// <paramref name="world"/> where it feeds the channel, otherwise from a constant, ordinary city
    /// air and river water (what <c>citynode energy</c> needs: the node's time does not depend on them).
    /// A sensor without a simulated chip (bme680) is refused.
    /// </summary>
    public static NodeHardware ForSensors(VirtualClock clock, IReadOnlyList<(string Name, string Where)> sensors, World world)
    {
        var buses = new SimBusProvider(clock);
        var hw = new NodeHardware("sensors", world, buses, string.Concat(sensors.Select(s => $"sensor.{s.Name} = {s.Where}\n")));
        long Now() => clock.UnixSeconds;
        double V(int channel, ChannelSpec spec, double constant) => world.Provides(channel) ? world.Value(channel, Now(), spec) : constant;
        double Raw(int channel, double constant) => world.Provides(channel) ? world.Raw(channel, Now()) : constant;
        var t = new ChannelSpec(Channels.AirTemperature, Units.Celsius, 1, -2);
        var rh = new ChannelSpec(Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -2);
        var p = new ChannelSpec(Channels.AirPressure, Units.Pascal, 1, 0);
        var ppm = new ChannelSpec(Channels.Co2, Units.PartsPerMillion, 1, 0);
        SimEzo.Water Water() => new(
            V(Channels.WaterTemperature, EzoCircuit.Spec(EzoKind.Rtd), 14.5),
            V(Channels.Ph, EzoCircuit.Spec(EzoKind.Ph), 7.4),
            V(Channels.Conductivity, EzoCircuit.Spec(EzoKind.Ec), 420),
            V(Channels.DissolvedOxygen, EzoCircuit.Spec(EzoKind.Do), 9.1),
            V(Channels.Orp, EzoCircuit.Spec(EzoKind.Orp), 250));
        for (int i = 0; i < sensors.Count; i++)
        {
            var (name, where) = sensors[i];
            var spec = CityNode.Drivers.Registry.SensorSpec.Parse(name, where, i + 1);
            double Divided(double probeMillivolts) => probeMillivolts * spec.DividerDenominator / spec.DividerNumerator;
            switch (name)
            {
                case "bme280":
                    var bme = new SimBme280(() => clock.MonotonicMs, () => (V(t.Id, t, 18.5), V(rh.Id, rh, 62), V(p.Id, p, 101_325)));
                    hw.Bme ??= bme;
                    buses.SimI2c(spec.BusId).Attach(spec.Address, bme);
                    break;
                case "sds011":
                    hw.Sds = new SimSds011(() => (V(Channels.Pm25, new ChannelSpec(Channels.Pm25, Units.MicrogramPerCubicMetre, 1, -1), 8.4),
                        V(Channels.Pm10, new ChannelSpec(Channels.Pm10, Units.MicrogramPerCubicMetre, 1, -1), 14.2)));
                    buses.Attach(spec.Port, hw.Sds);
                    break;
                case "pms5003":
                    hw.Pms = new SimPms5003(() => (Math.Round(Raw(Channels.Pm25, 8) * 0.7), V(Channels.Pm25, new ChannelSpec(Channels.Pm25, Units.MicrogramPerCubicMetre, 1, 0), 8),
                        V(Channels.Pm10, new ChannelSpec(Channels.Pm10, Units.MicrogramPerCubicMetre, 1, 0), 14)));
                    buses.Attach(spec.Port, hw.Pms);
                    break;
                case "scd41":
                    hw.Scd = new SimScd41(() => clock.MonotonicMs, () => (V(ppm.Id, ppm, 450), Raw(t.Id, 18.5), Raw(rh.Id, 62), Raw(p.Id, 101_325)));
                    buses.SimI2c(spec.BusId).Attach(spec.Address, hw.Scd);
                    break;
                case "ezo_ph" or "ezo_ec" or "ezo_do" or "ezo_orp" or "ezo_rtd":
                    var kind = name switch { "ezo_ph" => EzoKind.Ph, "ezo_ec" => EzoKind.Ec, "ezo_do" => EzoKind.Do, "ezo_orp" => EzoKind.Orp, _ => EzoKind.Rtd };
                    var chip = new SimEzo(kind, () => clock.MonotonicMs, Water);
                    hw.Ezo[kind] = chip;
                    buses.SimI2c(spec.BusId).Attach(spec.Address, chip);
                    break;
                case "turbidity":
                    buses.SimAdc.Connect(spec.Channel, () => Divided(AnalogProbeModels.TurbidityMillivolts(Raw(Channels.Turbidity, 4))));
                    break;
                case "tds":
                    buses.SimAdc.Connect(spec.Channel, () => Divided(AnalogProbeModels.TdsMillivolts(Raw(Channels.TotalDissolvedSolids, 210), Raw(Channels.WaterTemperature, 14.5))));
                    break;
                case "analog_ph":
                    buses.SimAdc.Connect(spec.Channel, () => Divided(AnalogProbeModels.PhMillivolts(Raw(Channels.Ph, 7.4), Raw(Channels.WaterTemperature, 14.5))));
                    break;
                default:
                    throw new ArgumentException($"sensor.{name}: no simulated chip for it (simulated: bme280, sds011, pms5003, scd41, ezo_ph, ezo_ec, ezo_do, ezo_orp, ezo_rtd, turbidity, tds, analog_ph)");
            }
        }

        return hw;
    }

    /// <summary>
    /// An air + water node on two I2C buses (boards/esp32-devkitc-dual-i2c.board): BME280 (0x76) and
    /// SCD41 (0x62) on I2C1, EZO RTD (0x66), pH (0x63) and ORP (0x62, the SCD41's address: hence the
    /// second bus) on I2C2, from the Sensor.Community, UCI and USGS recordings.
    /// </summary>
    public static NodeHardware AirAndWater(VirtualClock clock, Surroundings air, Surroundings co2, Surroundings water)
    {
        water.MapFunction(Channels.Orp, t => 250 + (15 * Math.Sin(t * 2 * Math.PI / 86400)));
        co2.WithTolerance(Channels.Co2, 1);
        var world = new World().Add(air).Add(co2).Add(water);
        var buses = new SimBusProvider(clock);
        var hw = new NodeHardware("air+water", world, buses,
            "sensor.bme280 = i2c1:0x76\nsensor.scd41 = i2c1:0x62\nsensor.ezo_rtd = i2c2:0x66\nsensor.ezo_ph = i2c2:0x63\nsensor.ezo_orp = i2c2:0x62\n");
        long Now() => clock.UnixSeconds;
        var t = new ChannelSpec(Channels.AirTemperature, Units.Celsius, 1, -2);
        var rh = new ChannelSpec(Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -2);
        var p = new ChannelSpec(Channels.AirPressure, Units.Pascal, 1, 0);
        var ppm = new ChannelSpec(Channels.Co2, Units.PartsPerMillion, 1, 0);
        var bus1 = buses.SimI2c(1);
        hw.Bme = new SimBme280(() => clock.MonotonicMs, () => (world.Value(t.Id, Now(), t), world.Value(rh.Id, Now(), rh), world.Value(p.Id, Now(), p)));
        bus1.Attach(0x76, hw.Bme);
        hw.Scd = new SimScd41(() => clock.MonotonicMs, () => (world.Value(ppm.Id, Now(), ppm), world.Raw(t.Id, Now()), world.Raw(rh.Id, Now()), world.Raw(p.Id, Now())));
        bus1.Attach(0x62, hw.Scd);
        hw.AttachEzo(buses.SimI2c(2), clock, EzoKind.Rtd, EzoKind.Ph, EzoKind.Orp);
        return hw;
    }

    /// <summary>
    /// A water node: EZO RTD, pH, EC, DO and ORP circuits and an analog turbidity probe (ADC 6,
    /// 2:1 divider), from the USGS recording. ORP is not recorded there and is fed as 250 mV with a
    /// daily ±15 mV swing; turbidity is checked within ±15 NTU: near clear water a millivolt is ~4 NTU on
    /// that probe, and the ESP32 ADC (12 bits, uncalibrated, behind a 2:1 divider that keeps the probe's 4.2 V inside the ADC's linear 150–2450 mV at 12 dB) resolves ~1–3 mV.
    /// </summary>
    public static NodeHardware Water(VirtualClock clock, Surroundings water)
    {
        water.MapFunction(Channels.Orp, t => 250 + (15 * Math.Sin(t * 2 * Math.PI / 86400)))
             .WithTolerance(Channels.Turbidity, 15);
        var world = new World().Add(water);
        var buses = new SimBusProvider(clock);
        var hw = new NodeHardware("water", world, buses,
            "sensor.ezo_rtd = i2c:0x66\nsensor.ezo_ph = i2c:0x63\nsensor.ezo_ec = i2c:0x64\nsensor.ezo_do = i2c:0x61\nsensor.ezo_orp = i2c:0x62\nsensor.turbidity = adc:6,divider=2/1\n");
        var bus = buses.SimI2c(1);
        long Now() => clock.UnixSeconds;
        hw.AttachEzo(bus, clock, EzoKind.Rtd, EzoKind.Ph, EzoKind.Ec, EzoKind.Do, EzoKind.Orp);

        buses.SimAdc.NoiseMillivolts = 1;
        buses.SimAdc.Connect(6, () => AnalogProbeModels.TurbidityMillivolts(world.Raw(Channels.Turbidity, Now())) / 2);
        return hw;
    }
}
