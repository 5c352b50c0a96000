using CityNode.Drivers.AtlasEzo;
using CityNode.Drivers.AtlasEzo.Sim;
using CityNode.Drivers.Bmxx80.Sim;
using CityNode.Drivers.Pms5003.Sim;
using CityNode.Drivers.Registry;
using CityNode.Drivers.Registry.Sim;
using CityNode.Drivers.Scd4x.Sim;
using CityNode.Drivers.Sds011.Sim;
using CityNode.Host.SimulatedHal;
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

    /// <summary>Every simulated chip on the buses, in config order (probes on the ADC are not chips).</summary>
    public IReadOnlyList<object> Chips => _chips;

    private readonly List<object> _chips = new();

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

    /// <summary>
    /// An air node: BME280 (0x76), a particulate sensor (SDS011 on COM2, or PMS5003 when
    /// <paramref name="usePms"/>), SCD41 (0x62). Temperature, humidity, pressure and PM come from the
    /// Sensor.Community recording, CO2 from the UCI one; PM1 (PMS5003 only) is not recorded and is
    /// fed as 0.7 × PM2.5, unchecked. CO2 is checked within ±1 ppm: the SCD41 takes the pressure it
    /// compensates with in whole hPa, worth ±0.05 % of the reading.
    /// </summary>
    public static NodeHardware Air(VirtualClock clock, Surroundings air, Surroundings co2, bool usePms)
    {
        co2.WithTolerance(Channels.Co2, 1);
        return Build("air", clock, [("bme280", "i2c:0x76"), (usePms ? "pms5003" : "sds011", "uart:COM2"), ("scd41", "i2c:0x62")], new World().Add(air).Add(co2));
    }

    /// <summary>
    /// Hardware for any list of attached sensors, each at its config placement (<c>sensor.NAME = WHERE</c>:
    /// <c>i2c[1|2]:ADDRESS</c>, <c>uart:PORT</c>, <c>adc:CHANNEL[,divider=N/D]</c>), with the simulated chip
    /// its sensor folder declares (<see cref="ISensorSimulation"/>). Values come from
    /// <paramref name="world"/> where it feeds the channel, otherwise from the simulation's constant,
    /// ordinary city air and river water (what <c>citynode energy</c> needs: the node's time does not
    /// depend on them). A sensor without a simulated chip (bme680) is refused.
    /// </summary>
    public static NodeHardware ForSensors(VirtualClock clock, IReadOnlyList<(string Name, string Where)> sensors, World world) =>
        Build("sensors", clock, sensors, world);

    /// <summary>
    /// An air + water node on two I2C buses (boards/esp32-devkitc-dual-i2c.board): BME280 (0x76) and
    /// SCD41 (0x62) on I2C1, EZO RTD (0x66), pH (0x63) and ORP (0x62, the SCD41's address: hence the
    /// second bus) on I2C2, from the Sensor.Community, UCI and USGS recordings.
    /// </summary>
    public static NodeHardware AirAndWater(VirtualClock clock, Surroundings air, Surroundings co2, Surroundings water)
    {
        water.MapFunction(Channels.Orp, t => 250 + (15 * Math.Sin(t * 2 * Math.PI / 86400)));
        co2.WithTolerance(Channels.Co2, 1);
        return Build("air+water", clock,
            [("bme280", "i2c1:0x76"), ("scd41", "i2c1:0x62"), ("ezo_rtd", "i2c2:0x66"), ("ezo_ph", "i2c2:0x63"), ("ezo_orp", "i2c2:0x62")],
            new World().Add(air).Add(co2).Add(water));
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
        var hw = Build("water", clock,
            [("ezo_rtd", "i2c:0x66"), ("ezo_ph", "i2c:0x63"), ("ezo_ec", "i2c:0x64"), ("ezo_do", "i2c:0x61"), ("ezo_orp", "i2c:0x62"), ("turbidity", "adc:6,divider=2/1")],
            new World().Add(water));
        hw.Buses.SimAdc.NoiseMillivolts = 1;
        return hw;
    }

    /// <summary>Each sensor's simulated chip from its folder's <see cref="ISensorSimulation"/>, at its placement, fed from <paramref name="world"/>.</summary>
    private static NodeHardware Build(string kind, VirtualClock clock, IReadOnlyList<(string Name, string Where)> sensors, World world)
    {
        var buses = new SimBusProvider(clock);
        var hw = new NodeHardware(kind, world, buses, string.Concat(sensors.Select(s => $"sensor.{s.Name} = {s.Where}\n")));
        for (int i = 0; i < sensors.Count; i++)
        {
            var (name, where) = sensors[i];
            var sensor = SensorCatalog.Find(name) ?? throw new ArgumentException($"sensor.{name}: no driver for '{name}' (known: {SensorCatalog.Names()})");
            var simulation = SensorSimulations.For(name)
                ?? throw new ArgumentException($"sensor.{name}: no simulated chip for it (simulated: {string.Join(", ", SensorSimulations.Names)})");
            var chip = simulation.Attach(new SimulatedPlacement(sensor, SensorSpec.Parse(name, where, i + 1), buses, world));
            if (chip is not null)
            {
                hw._chips.Add(chip);
            }

            // The chips the soak run's faults reach by kind (ChaosPlan).
            switch (chip)
            {
                case SimBme280 bme:
                    hw.Bme ??= bme;
                    break;
                case SimPms5003 pms:
                    hw.Pms = pms;
                    break;
                case SimSds011 sds:
                    hw.Sds = sds;
                    break;
                case SimScd41 scd:
                    hw.Scd = scd;
                    break;
                case SimEzo ezo:
                    hw.Ezo[EzoKindOf(name)] = ezo;
                    break;
            }
        }

        return hw;
    }

    private static EzoKind EzoKindOf(string name) => Enum.GetValues<EzoKind>().First(k => EzoCircuit.NameOf(k) == name);
}
