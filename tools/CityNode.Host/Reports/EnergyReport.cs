using System.Text.Json.Serialization;
using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Hal;
using CityNode.Host.Sim;
using CityNode.Host.Simulation;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Host.Reports;

/// <summary>
/// <c>citynode energy</c>: average current and battery life of a node on a board, for a workload,
/// under CityNode's policy — measured by running the real <see cref="NodeRuntime"/> on virtual time
/// and charging each phase at the board's currents (the same phases the diagnostics report) —
/// next to the model's lower bound and two peers' policies with the same constants.
/// </summary>
public sealed class EnergyReport
{
    [JsonPropertyName("board")] public required string Board { get; init; }

    [JsonPropertyName("sample_s")] public required long SampleSeconds { get; init; }

    [JsonPropertyName("publish_s")] public required long PublishSeconds { get; init; }

    [JsonPropertyName("channels")] public required int Channels { get; init; }

    [JsonPropertyName("sensors")] public required string[] Sensors { get; init; }

    [JsonPropertyName("capacity_mah")] public required int CapacityMah { get; init; }

    [JsonPropertyName("avg_ma")] public required double AverageMilliamps { get; init; }

    [JsonPropertyName("days")] public required double Days { get; init; }

    /// <summary>Charge per reading delivered, µAh.</summary>
    [JsonPropertyName("uah_per_reading")] public required double MicroampHoursPerReading { get; init; }

    /// <summary>Where the average current goes: phase → mA.</summary>
    [JsonPropertyName("breakdown_ma")] public required Dictionary<string, double> Breakdown { get; init; }

    [JsonPropertyName("sleep")] public required string Sleep { get; init; }

    [JsonPropertyName("lower_bound_ma")] public required double LowerBoundMilliamps { get; init; }

    /// <summary>Peers' policies with the same constants: name → average mA.</summary>
    [JsonPropertyName("baselines")] public required Dictionary<string, double> Baselines { get; init; }

    [JsonPropertyName("baseline_days")] public required Dictionary<string, double> BaselineDays { get; init; }

    [JsonPropertyName("constants")] public required Dictionary<string, string> Constants { get; init; }

    public const string EsphomeStyle = "esphome_style";
    public const string AlwaysOn = "always_on";

    /// <summary>A workload: the sensors (each with its channel count) sampled every S, published at least every P.</summary>
    public sealed record Workload(long SampleSeconds, long PublishSeconds, (string Sensor, int Channels)[] Sensors)
    {
        public int ChannelCount => Sensors.Sum(s => s.Channels);

        /// <summary>N generic channels: an I2C sensor per 3 channels (BME280-like).</summary>
        public static Workload Generic(int channels, long sample, long publish) =>
            new(sample, publish, Enumerable.Range(0, (channels + 2) / 3).Select(i => ("bme280", Math.Min(3, channels - (3 * i)))).ToArray());

        public static Workload FromConfig(NodeConfig config)
        {
            var list = new List<(string, int)>();
            for (int i = 0; i < config.Document.Count; i++)
            {
                string key = config.Document.Key(i);
                if (key.StartsWith("sensor.", StringComparison.Ordinal) && config.IsSensorEnabled(key[7..]))
                {
                    list.Add((key[7..], ChannelsOf(key[7..])));
                }
            }

            if (list.Count == 0)
            {
                throw new FormatException("the config names no sensor (sensor.NAME = ... lines)");
            }

            return new Workload(config.SampleSeconds, config.PublishSeconds, list.ToArray());
        }

        private static int ChannelsOf(string sensor) => sensor switch
        {
            "bme280" or "pms5003" => 3,
            "bme680" => 4,
            "sds011" or "tds" => 2,
            _ => 1,
        };
    }

    public static EnergyReport Run(BoardProfile board, Workload w, int? capacityMah = null, int days = 0)
    {
        var p = board.Power;
        int capacity = capacityMah ?? p.BatteryMilliampHours;
        var (times, readings, sleep) = Measure(board, w, days);
        long sensorCharge = SensorPower.ChargePerSample(w.Sensors.Select(s => s.Sensor).ToArray());
        times.SensorMicroampMs = times.Samples * sensorCharge;
        long total = times.TotalMs;
        double avg = (double)EnergyModel.Charge(p, times) / total / 1000.0;
        double perSampleActive = (double)times.ActiveMs / times.Samples;
        double perSampleWait = (double)times.WaitMs / times.Samples;
        double lower = LowerBound(p, w, perSampleActive, perSampleWait, sensorCharge);
        double esphome = Esphome(p, w, perSampleActive, perSampleWait, sensorCharge);
        double alwaysOn = AlwaysOnMa(p, w, sensorCharge);
        var breakdown = PhaseBreakdown(p, times);
        return new EnergyReport
        {
            Board = board.Id,
            SampleSeconds = w.SampleSeconds,
            PublishSeconds = w.PublishSeconds,
            Channels = w.ChannelCount,
            Sensors = w.Sensors.Select(s => s.Sensor).ToArray(),
            CapacityMah = capacity,
            AverageMilliamps = Math.Round(avg, 4),
            Days = Math.Round(capacity / avg / 24, 1),
            MicroampHoursPerReading = Math.Round(EnergyModel.Charge(p, times) / 3_600_000.0 / Math.Max(1, readings), 3),
            Breakdown = breakdown,
            Sleep = sleep,
            LowerBoundMilliamps = Math.Round(lower, 4),
            Baselines = new Dictionary<string, double> { [EsphomeStyle] = Math.Round(esphome, 4), [AlwaysOn] = Math.Round(alwaysOn, 3) },
            BaselineDays = new Dictionary<string, double> { [EsphomeStyle] = Math.Round(capacity / esphome / 24, 1), [AlwaysOn] = Math.Round(capacity / alwaysOn / 24, 1) },
            Constants = new Dictionary<string, string>
            {
                ["deep_sleep_ua"] = p.DeepSleepMicroamps.ToString(),
                ["light_sleep_ua"] = p.LightSleepMicroamps.ToString(),
                ["active_ua"] = p.ActiveMicroamps.ToString(),
                ["radio_ua"] = p.RadioMicroamps.ToString(),
                ["connect_publish_ms"] = p.ConnectPublishMs.ToString(),
                ["boot_ms"] = p.BootMs.ToString(),
            },
        };
    }

    /// <summary>Average current (mA) per phase for the times, with the board's currents.</summary>
    public static Dictionary<string, double> PhaseBreakdown(PowerProfile p, PhaseTimes times)
    {
        long total = Math.Max(1, times.TotalMs);
        double Ma(long microampMs) => Math.Round((double)microampMs / total / 1000.0, 4);
        return new Dictionary<string, double>
        {
            ["boot"] = Ma(times.BootMs * (long)p.ActiveMicroamps),
            ["sample_cpu"] = Ma(times.ActiveMs * (long)p.ActiveMicroamps),
            ["sample_wait"] = Ma(times.WaitMs * (long)p.LightSleepMicroamps),
            ["sensors"] = Ma(times.SensorMicroampMs),
            ["radio"] = Ma(times.RadioMs * (long)p.RadioMicroamps),
            ["light_sleep"] = Ma(times.LightSleepMs * (long)p.LightSleepMicroamps),
            ["deep_sleep"] = Ma(times.DeepSleepMs * (long)p.DeepSleepMicroamps),
        };
    }

    /// <summary>Runs the real runtime for a few publish windows and sums where its time went.</summary>
    private static (PhaseTimes Times, long Readings, string Sleep) Measure(BoardProfile board, Workload w, int days)
    {
        var clock = new VirtualClock(1_700_000_000);
        var sensors = new List<ISensor>();
        foreach (var (name, channels) in w.Sensors)
        {
            sensors.Add(new PowerSensor(name, channels, clock));
        }

        var sampler = new Sampler(sensors.ToArray(), clock);
        var uplink = new ModelUplink(clock, board.Power.ConnectPublishMs);
        var config = NodeConfig.Parse($"node.id = 1\nsample = {w.SampleSeconds}s\npublish = {Math.Max(w.PublishSeconds, w.SampleSeconds)}s\nbatch = 256\nsleep = auto");
        var services = new NodeServices
        {
            Clock = clock,
            Platform = new SimPlatform(),
            Uplink = uplink,
            Store = new CityNode.Delivery.RamBatchStore(1 << 20, 1),
            Sampler = sampler,
            Power = board.Power,
            RingBytes = 64 * 1024,
            MaxPayloadBytes = BatchEncoder.WorstCaseSize(256, sampler.ChannelCount),
        };
        var node = new NodeRuntime(config, services);
        node.Boot(0);

        // Long enough for 20 publish windows, at least two days; the first window is left out (start-up).
        long window = Math.Max(w.PublishSeconds, w.SampleSeconds) * 1000;
        long span = days > 0 ? days * 86_400_000L : Math.Max(2 * 86_400_000L, 20 * window);
        RunFor(node, clock, window, board.Power);
        var before = Snapshot(node.Totals);
        long deep = 0;
        long wakes = 0;
        long until = clock.MonotonicMs + span;
        while (clock.MonotonicMs < until)
        {
            var o = node.RunCycle();
            long ms = Math.Max(o.SleepMs, 1);
            clock.Advance(ms);
            node.Slept(o.Sleep, ms);
            wakes++;
            if (o.Sleep == SleepKind.Deep)
            {
                // A deep-sleep wake is a reset: the CLR boots again.
                deep++;
                node.Totals.BootMs += board.Power.BootMs;
                clock.Advance(board.Power.BootMs);
            }
        }

        var t = Snapshot(node.Totals);
        Subtract(t, before);
        string sleep = deep == 0 ? "light" : deep == wakes ? "deep" : $"mixed ({deep} deep of {wakes})";
        return (t, t.Readings, sleep);
    }

    private static void RunFor(NodeRuntime node, VirtualClock clock, long ms, PowerProfile p)
    {
        long until = clock.MonotonicMs + ms;
        while (clock.MonotonicMs < until)
        {
            var o = node.RunCycle();
            long s = Math.Max(o.SleepMs, 1);
            clock.Advance(s);
            node.Slept(o.Sleep, s);
            if (o.Sleep == SleepKind.Deep)
            {
                node.Totals.BootMs += p.BootMs;
                clock.Advance(p.BootMs);
            }
        }
    }

    private static PhaseTimes Snapshot(PhaseTimes t)
    {
        var c = new PhaseTimes();
        c.Add(t);
        return c;
    }

    private static void Subtract(PhaseTimes t, PhaseTimes b)
    {
        t.BootMs -= b.BootMs;
        t.ActiveMs -= b.ActiveMs;
        t.WaitMs -= b.WaitMs;
        t.RadioMs -= b.RadioMs;
        t.LightSleepMs -= b.LightSleepMs;
        t.DeepSleepMs -= b.DeepSleepMs;
        t.Samples -= b.Samples;
        t.Readings -= b.Readings;
    }

    /// <summary>
    /// The least any policy can draw for the workload: the sensors and the CPU time to read them,
    /// between samples the cheaper of light sleep and deep sleep plus a CLR boot, and one connection
    /// per freshness window — the longest stretch a connection can cover while no sample waits more
    /// than the publish interval: (⌊P / S⌋ + 1) samples.
    /// </summary>
    public static double LowerBound(PowerProfile p, Workload w, double activeMs, double waitMs, long sensorCharge)
    {
        double n = Math.Floor((double)w.PublishSeconds / w.SampleSeconds) + 1;
        double windowS = n * w.SampleSeconds;
        double perSample = sensorCharge + (activeMs * p.ActiveMicroamps) + (waitMs * p.LightSleepMicroamps);
        double sleepMs = (w.SampleSeconds * 1000) - activeMs - waitMs;
        double floor = EnergyModel.SleepFloor(p, (long)sleepMs);
        double radio = (double)p.ConnectPublishMs * p.RadioMicroamps;
        return ((n * (perSample + floor)) + radio) / (windowS * 1000) / 1000;
    }

    /// <summary>ESPHome's way: wake, read, connect and publish every sample, sleep the cheaper sleep in between.</summary>
    public static double Esphome(PowerProfile p, Workload w, double activeMs, double waitMs, long sensorCharge)
    {
        double perSample = sensorCharge + (activeMs * p.ActiveMicroamps) + (waitMs * p.LightSleepMicroamps) + ((double)p.ConnectPublishMs * p.RadioMicroamps);
        double sleepMs = (w.SampleSeconds * 1000) - activeMs - waitMs - p.ConnectPublishMs;
        return (perSample + EnergyModel.SleepFloor(p, (long)Math.Max(0, sleepMs))) / (w.SampleSeconds * 1000) / 1000;
    }

    /// <summary>airRohr's way: CPU and Wi-Fi on all the time, a publish every sample.</summary>
    public static double AlwaysOnMa(PowerProfile p, Workload w, long sensorCharge)
    {
        double sampleMs = w.SampleSeconds * 1000;
        double perSample = sensorCharge + ((double)p.ConnectPublishMs * p.RadioMicroamps) + ((sampleMs - p.ConnectPublishMs) * p.ActiveMicroamps);
        return perSample / sampleMs / 1000;
    }
}
