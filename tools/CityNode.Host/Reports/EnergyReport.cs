using System.Text.Json;
using System.Text.Json.Serialization;
using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Host.DeviceCost;
using OtaCost = CityNode.Host.Ota.OtaCost;
using OtaRelease = CityNode.Host.Ota.Release;
using CityNode.Host.Mqtt;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.NanoTwin;
using CityNode.Power;

namespace CityNode.Host.Reports;

/// <summary>
/// <c>citynode energy</c>: average current and battery life of a node on a board, for a workload,
/// under CityNode's policy — measured by running the ESP32 program itself on the nanoFramework twin
/// and charging the board's ledger (CPU and Wi-Fi states) at the board's currents — next to the
/// lower bound and two peers' policies on the same measured costs and constants. The twin runs in
/// the <see cref="InstrumentedContext"/>, so the IL the ESP32 would interpret is booked as CPU time
/// at the board's power.il_per_second (docs/energy.md).
/// </summary>
public sealed class EnergyReport
{
    [JsonPropertyName("board")] public required string Board { get; init; }

    [JsonPropertyName("sample_s")] public required long SampleSeconds { get; init; }

    [JsonPropertyName("publish_s")] public required long PublishSeconds { get; init; }

    [JsonPropertyName("channels")] public required int Channels { get; init; }

    [JsonPropertyName("sensors")] public required string[] Sensors { get; init; }

    /// <summary>Where the sensors come from: the board's sensor lines, a config, --channels, or what was assumed (<see cref="Workload.Source"/>).</summary>
    [JsonPropertyName("sensors_from")] public required string SensorsFrom { get; init; }

    [JsonPropertyName("capacity_mah")] public required int CapacityMah { get; init; }

    [JsonPropertyName("avg_ma")] public required double AverageMilliamps { get; init; }

    [JsonPropertyName("days")] public required double Days { get; init; }

    /// <summary>Charge per reading delivered, µAh.</summary>
    [JsonPropertyName("uah_per_reading")] public required double MicroampHoursPerReading { get; init; }

    /// <summary>
    /// Where the average current goes: the twin's states (boot = the native boot, cpu_il = interpreted
    /// IL, flash = the drive's operations, cpu_active = other native work, cpu_idle, wifi_*,
    /// light_sleep, deep_sleep) and the sensors → mA.
    /// </summary>
    [JsonPropertyName("breakdown_ma")] public required Dictionary<string, double> Breakdown { get; init; }

    /// <summary>cpu_il at the fast and the slow end of the interpreter's range (<see cref="IlMeter"/>), mA.</summary>
    [JsonPropertyName("cpu_il_range_ma")] public required double[] CpuIlRangeMilliamps { get; init; }

    /// <summary>avg_ma at the fast and the slow end of the interpreter's range, mA (see <see cref="AtIlRate"/>).</summary>
    [JsonPropertyName("avg_ma_range")] public required double[] AverageRangeMilliamps { get; init; }

    [JsonPropertyName("sleep")] public required string Sleep { get; init; }

    [JsonPropertyName("lower_bound_ma")] public required double LowerBoundMilliamps { get; init; }

    /// <summary>Peers' policies with the same constants: name → average mA.</summary>
    [JsonPropertyName("baselines")] public required Dictionary<string, double> Baselines { get; init; }

    [JsonPropertyName("baseline_days")] public required Dictionary<string, double> BaselineDays { get; init; }

    [JsonPropertyName("constants")] public required Dictionary<string, string> Constants { get; init; }

    /// <summary>The charge of over-the-air updates (<c>--ota-kb</c>), when asked for.</summary>
    [JsonPropertyName("ota")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OtaEnergy? Ota { get; private set; }

    /// <summary>
    /// The chunks reach a node through MQTT over TLS in its managed socket code; no board constant
    /// gives that rate, so this is an assumption (overridable with <c>energy --ota-rate</c>): 20 KB/s,
    /// ~1/100 of the ESP32's raw TCP throughput in Espressif's iperf figures, for nanoFramework's
    /// managed MQTT client reading TLS records in small buffers on a city Wi-Fi.
    /// </summary>
    public const int DefaultOtaBytesPerSecond = 20_000;

    /// <summary>
    /// One update's charge (docs/ota.md, "Energy"): the download stretches the publish windows it
    /// rides in (no extra wake) by the radio time to receive the chunk messages and the manifest at
    /// <c>bytes_per_s</c>, the CPU time to take them (IL measured by <see cref="OtaCost.MeasureUpdate"/>
    /// at power.il_per_second) and the flash time to write them (a sector erase, its page programs
    /// and the progress mark per chunk, at the drive's NOR timing) — all with the radio associated,
    /// at power.wifi_associated_ua (the board's figure for a node busy in its session). Then, radio
    /// off, at power.active_ua: the verify (IL and the flash reads of every byte) and the restart
    /// into the trial (power.boot_ms).
    /// </summary>
    public sealed record OtaEnergy
    {
        [JsonPropertyName("kb")] public required int Kb { get; init; }

        [JsonPropertyName("chunks")] public required int Chunks { get; init; }

        [JsonPropertyName("wire_bytes")] public required long WireBytes { get; init; }

        [JsonPropertyName("bytes_per_s")] public required int BytesPerSecond { get; init; }

        [JsonPropertyName("chunk_il")] public required long ChunkIl { get; init; }

        [JsonPropertyName("verify_il")] public required long VerifyIl { get; init; }

        [JsonPropertyName("radio_s")] public required double RadioSeconds { get; init; }

        [JsonPropertyName("cpu_s")] public required double CpuSeconds { get; init; }

        [JsonPropertyName("flash_s")] public required double FlashSeconds { get; init; }

        [JsonPropertyName("verify_s")] public required double VerifySeconds { get; init; }

        [JsonPropertyName("boot_s")] public required double BootSeconds { get; init; }

        [JsonPropertyName("mah_per_update")] public required double MilliampHoursPerUpdate { get; init; }

        /// <summary>mah_per_update with the IL at the fast and the slow end of the interpreter's range.</summary>
        [JsonPropertyName("mah_per_update_range")] public required double[] MilliampHoursRange { get; init; }

        /// <summary>One update every this many seconds (--ota-every), or null: the per-update figure only.</summary>
        [JsonPropertyName("every_s")] public long? EverySeconds { get; init; }

        [JsonPropertyName("avg_ma_added")] public double? AddedMilliamps { get; init; }

        [JsonPropertyName("avg_ma_with_ota")] public double? AverageWithOta { get; init; }

        [JsonPropertyName("days_with_ota")] public double? DaysWithOta { get; init; }
    }

    /// <summary>Adds to this report the charge of a <paramref name="kb"/> KB update, every <paramref name="everySeconds"/> if given (see <see cref="OtaEnergy"/>).</summary>
    public EnergyReport WithOta(PowerProfile p, int kb, long? everySeconds, int bytesPerSecond, LittleFsGeometry flash)
    {
        var u = MeasureUpdateInstrumented(kb);
        double MilliampHours(double ilPerSecond, out double cpuS, out double flashS, out double verifyS, out double radioS)
        {
            int pages = (OtaRelease.ChunkSize + flash.PageSize - 1) / flash.PageSize;
            radioS = (double)u.WireBytes / bytesPerSecond;
            cpuS = (u.ManifestIl + u.ChunksIl) / ilPerSecond;
            flashS = u.Chunks * (flash.EraseMicros + ((pages + 1) * flash.ProgramMicrosPerPage)) / 1e6;
            verifyS = (u.VerifyIl / ilPerSecond) + (kb * flash.ReadMicrosPerKb / 1e6);
            double uaS = ((radioS + cpuS + flashS) * p.WifiAssociatedMicroamps) + ((verifyS + (p.BootMs / 1000.0)) * p.ActiveMicroamps);
            return uaS / 3600.0 / 1000.0;
        }

        double mah = MilliampHours(p.IlPerSecond, out double cpu, out double flashSeconds, out double verify, out double radio);
        double? added = everySeconds is long e ? mah / (e / 3600.0) : null;
        Ota = new OtaEnergy
        {
            Kb = kb,
            Chunks = u.Chunks,
            WireBytes = u.WireBytes,
            BytesPerSecond = bytesPerSecond,
            ChunkIl = u.ManifestIl + u.ChunksIl,
            VerifyIl = u.VerifyIl,
            RadioSeconds = Math.Round(radio, 2),
            CpuSeconds = Math.Round(cpu, 2),
            FlashSeconds = Math.Round(flashSeconds, 2),
            VerifySeconds = Math.Round(verify, 2),
            BootSeconds = p.BootMs / 1000.0,
            MilliampHoursPerUpdate = Math.Round(mah, 3),
            MilliampHoursRange = [Math.Round(MilliampHours(IlMeter.FastIlPerSecond, out _, out _, out _, out _), 3), Math.Round(MilliampHours(IlMeter.SlowIlPerSecond, out _, out _, out _, out _), 3)],
            EverySeconds = everySeconds,
            AddedMilliamps = added is double a ? Math.Round(a, 4) : null,
            AverageWithOta = added is double b ? Math.Round(AverageMilliamps + b, 4) : null,
            DaysWithOta = added is double c ? Math.Round(CapacityMah / (AverageMilliamps + c) / 24, 1) : null,
        };
        return this;
    }

    /// <summary>Runs <see cref="OtaCost.MeasureUpdate"/> in the instrumented context (as <see cref="MeasureInstrumented"/> does the twin).</summary>
    private static OtaCost.UpdateIl MeasureUpdateInstrumented(int kb)
    {
        string reply;
        lock (InstrumentedContext.Gate)
        {
            string arg = kb.ToString(System.Globalization.CultureInfo.InvariantCulture);
            reply = IlMeter.Instrumented ? OtaCost.UpdateJson(arg) : InstrumentedContext.Shared.Invoke(typeof(OtaCost), nameof(OtaCost.UpdateJson), arg);
        }

        return JsonSerializer.Deserialize<OtaCost.UpdateIl>(reply)!;
    }

    public const string EsphomeStyle = "esphome_style";
    public const string AlwaysOn = "always_on";

    /// <summary>
    /// A workload: the sensors (each with its channel count) sampled every S, published at least every P.
    /// <see cref="Placements"/> says where each sensor is attached (its config value, parallel to
    /// <see cref="Sensors"/>), <see cref="OtherConfig"/> the rest of the node config.
    /// </summary>
    public sealed record Workload(long SampleSeconds, long PublishSeconds, (string Sensor, int Channels)[] Sensors)
    {
        public int ChannelCount => Sensors.Sum(s => s.Channels);

        /// <summary>Where each sensor is attached (<c>i2c:0x76</c>, <c>uart:COM2</c>, <c>adc:4</c> …); null: <see cref="DefaultPlacement"/>.</summary>
        public string[]? Placements { get; init; }

        /// <summary>Config lines besides node.id, sample, publish, the sensors, Wi-Fi and the broker (batch, sleep, early.*, calibration.* …).</summary>
        public string OtherConfig { get; init; } = DefaultOtherConfig;

        /// <summary>The rest of the config of a workload that names only sensors and intervals.</summary>
        public const string DefaultOtherConfig = "batch = 256\nsleep = auto\n";

        /// <summary>Where the sensors come from, as the report says it (sensors_from).</summary>
        public string Source { get; init; } = "given";

        /// <summary>
        /// The board's own sensors (its <c>sensor.NAME = ...</c> lines, the defaults a node config
        /// overrides): what a node on that board carries unless told otherwise. A board that lists
        /// none gets <see cref="AssumedChannels"/> generic channels, and the report says so.
        /// </summary>
        public static Workload ForBoard(BoardProfile board, long sample, long publish)
        {
            string lines = board.SensorLines();
            if (lines.Length == 0)
            {
                var w = Generic(AssumedChannels, sample, publish);
                return w with { Source = $"assumed: board {board.Id} lists no sensor.* lines; {string.Join(" + ", w.Sensors.Select(s => s.Sensor))} (as --channels {AssumedChannels})" };
            }

            var fromBoard = FromConfig(NodeConfig.Parse($"node.id = 1\nsample = {sample}s\npublish = {publish}s\n" + lines));
            return fromBoard with { OtherConfig = DefaultOtherConfig, Source = $"board {board.Id}" };
        }

        /// <summary>Channels assumed for a board without sensor lines: a BME280 and an SDS011, the usual air node.</summary>
        public const int AssumedChannels = 5;

        /// <summary>
        /// The real sensors whose channels add up to <paramref name="channels"/>, taken in this order
        /// and skipping one that would overshoot: BME280 (3), SDS011 (2), SCD41 (1), a second BME280
        /// at 0x77 (3), EZO RTD, pH, EC, DO (1 each), TDS probe (2), turbidity probe (1). So 5 =
        /// BME280 + SDS011, 6 = BME280 + SDS011 + SCD41, 1 = SCD41; at most 16.
        /// </summary>
        public static Workload Generic(int channels, long sample, long publish)
        {
            var chosen = new List<(string Sensor, int Channels, string Where)>();
            int left = channels;
            foreach (var c in GenericSensors)
            {
                if (c.Channels <= left)
                {
                    chosen.Add(c);
                    left -= c.Channels;
                }
            }

            if (left != 0 || channels < 1)
            {
                throw new FormatException($"--channels: 1 to {GenericSensors.Sum(c => c.Channels)} (the simulated sensors: {string.Join(", ", GenericSensors.Select(c => $"{c.Sensor} {c.Channels}"))})");
            }

            return new Workload(sample, publish, chosen.Select(c => (c.Sensor, c.Channels)).ToArray()) { Placements = chosen.Select(c => c.Where).ToArray(), Source = $"--channels {channels}" };
        }

        // Each sensor's channel count and placement are its descriptor's (the second BME280 on the other address).
        private static readonly (string Sensor, int Channels, string Where)[] GenericSensors = new (string Sensor, string? Where)[]
        {
            ("bme280", null), ("sds011", null), ("scd41", null), ("bme280", "i2c:0x77"),
            ("ezo_rtd", null), ("ezo_ph", null), ("ezo_ec", null), ("ezo_do", null), ("tds", null), ("turbidity", null),
        }.Select(s => (s.Sensor, ChannelsOf(s.Sensor), s.Where ?? DefaultPlacement(s.Sensor))).ToArray();

        /// <summary>Where a sensor named without a placement is attached (its descriptor's default).</summary>
        public static string DefaultPlacement(string sensor) => SensorCatalog.Get(sensor).DefaultPlacement;

        public static Workload FromConfig(NodeConfig config)
        {
            var list = new List<(string, int)>();
            var where = new List<string>();
            var other = new System.Text.StringBuilder();
            for (int i = 0; i < config.Document.Count; i++)
            {
                string key = config.Document.Key(i);
                if (key.StartsWith("sensor.", StringComparison.Ordinal))
                {
                    if (config.IsSensorEnabled(key[7..]))
                    {
                        list.Add((key[7..], ChannelsOf(key[7..])));
                        where.Add(config.Document.Value(i));
                    }
                }
                else if (!(key is "node.id" or "sample" or "publish" or "sensors" || key.StartsWith("wifi.", StringComparison.Ordinal) || key.StartsWith("mqtt.", StringComparison.Ordinal)))
                {
                    other.Append(key).Append(" = ").Append(config.Document.Value(i)).Append('\n');
                }
            }

            if (list.Count == 0)
            {
                throw new FormatException("the config names no sensor (sensor.NAME = ... lines)");
            }

            return new Workload(config.SampleSeconds, config.PublishSeconds, list.ToArray()) { Placements = where.ToArray(), OtherConfig = other.ToString(), Source = "config" };
        }

        private static int ChannelsOf(string sensor) => SensorCatalog.Get(sensor).ChannelCount;
    }

    /// <summary>
    /// CityNode's figure for a workload on a board: the ESP32 program (NodeProgram and its glue) runs on
    /// the nanoFramework twin with simulated chips for the workload's sensors and an embedded MQTT
    /// broker, for at least two days or twenty publish windows after a first window left out as
    /// start-up; the board's ledger of that span (CPU and radio states) is charged at the board's
    /// currents, plus the sensors' own current per sample (their descriptors' <see cref="SensorDescriptor.ChargePerSample"/>).
    /// </summary>
    /// <param name="boardSource">The board file's id or path as the node deploys it (default: <paramref name="board"/>'s id).</param>
    public static EnergyReport Run(BoardProfile board, Workload w, int? capacityMah = null, int days = 0, string? boardSource = null)
    {
        var p = board.Power;
        int capacity = capacityMah ?? p.BatteryMilliampHours;
        var m = MeasureInstrumented(w, days, boardSource ?? board.Id, p.IlPerSecond);
        long sensorCharge = SensorCatalog.ChargePerSample(w.Sensors.Select(s => s.Sensor).ToArray());
        double samples = (double)m.Readings / w.ChannelCount;
        double sensorTotal = samples * sensorCharge;
        var byState = m.Span.ChargeByState(p);
        double charge = m.Span.ChargeMicroampMs(p) + sensorTotal;
        long total = Math.Max(1, m.Span.TotalMs);
        double avg = charge / total / 1000.0;

        // The twin's costs per event, for the bound and the peers' policies: a sample's awake time with
        // the radio off (interpreted IL, flash, drivers, waits), and a connection (everything the radio was on for, per publishing wake).
        var costs = new EventCosts(
            SampleCharge: (byState["cpu_il"] + byState["flash"] + byState["cpu_active"] + byState["cpu_idle"]) / Math.Max(1, samples),
            SampleMs: m.Span.CpuShare * (m.Span.Cpu(CpuState.Active) + m.Span.Cpu(CpuState.Idle)) / Math.Max(1, samples),
            ConnectionCharge: (byState["wifi_started"] + byState["wifi_connecting"] + byState["wifi_associated"]) / Math.Max(1, m.Connections),
            ConnectionMs: (double)m.Span.RadioOnMs / Math.Max(1, m.Connections),
            SensorCharge: sensorCharge,
            BootCharge: m.Span.CpuShare * p.ActiveMicroamps * p.BootMs);
        double lower = LowerBound(p, w, costs);
        double esphome = Esphome(p, w, costs);
        double alwaysOn = AlwaysOnMa(p, w, costs);
        var breakdown = byState.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value / total / 1000.0, 4));
        breakdown["sensors"] = Math.Round(sensorTotal / total / 1000.0, 4);
        var fast = AtIlRate(p, m.Span, IlMeter.FastIlPerSecond);
        var slow = AtIlRate(p, m.Span, IlMeter.SlowIlPerSecond);
        return new EnergyReport
        {
            Board = board.Id,
            SampleSeconds = w.SampleSeconds,
            PublishSeconds = w.PublishSeconds,
            Channels = w.ChannelCount,
            Sensors = w.Sensors.Select(s => s.Sensor).ToArray(),
            SensorsFrom = w.Source,
            CapacityMah = capacity,
            AverageMilliamps = Math.Round(avg, 4),
            Days = Math.Round(capacity / avg / 24, 1),
            MicroampHoursPerReading = Math.Round(charge / 3_600_000.0 / Math.Max(1, m.Readings), 3),
            Breakdown = breakdown,
            CpuIlRangeMilliamps = new[] { Math.Round(fast.CpuIl / total / 1000.0, 4), Math.Round(slow.CpuIl / total / 1000.0, 4) },
            AverageRangeMilliamps = new[] { Math.Round(avg + (fast.Delta / total / 1000.0), 4), Math.Round(avg + (slow.Delta / total / 1000.0), 4) },
            Sleep = m.Sleep,
            LowerBoundMilliamps = Math.Round(lower, 4),
            Baselines = new Dictionary<string, double> { [EsphomeStyle] = Math.Round(esphome, 4), [AlwaysOn] = Math.Round(alwaysOn, 3) },
            BaselineDays = new Dictionary<string, double> { [EsphomeStyle] = Math.Round(capacity / esphome / 24, 1), [AlwaysOn] = Math.Round(capacity / alwaysOn / 24, 1) },
            Constants = new Dictionary<string, string>
            {
                ["deep_sleep_ua"] = p.DeepSleepMicroamps.ToString(),
                ["light_sleep_ua"] = p.LightSleepMicroamps.ToString(),
                ["active_ua"] = p.ActiveMicroamps.ToString(),
                ["idle_ua"] = p.IdleMicroamps.ToString(),
                ["wifi_started_ua"] = p.WifiStartedMicroamps.ToString(),
                ["wifi_connecting_ua"] = p.WifiConnectingMicroamps.ToString(),
                ["wifi_associated_ua"] = p.WifiAssociatedMicroamps.ToString(),
                ["radio_ua"] = p.RadioMicroamps.ToString(),
                ["connect_publish_ms"] = p.ConnectPublishMs.ToString(),
                ["boot_ms"] = p.BootMs.ToString(),
                ["il_per_second"] = p.IlPerSecond.ToString(),
                ["il_per_second_range"] = $"{IlMeter.SlowIlPerSecond}-{IlMeter.FastIlPerSecond}",
                ["flash_erase_us"] = m.Flash.EraseMicros.ToString(),
                ["flash_page_program_us"] = m.Flash.ProgramMicrosPerPage.ToString(),
                ["flash_read_us_per_kb"] = m.Flash.ReadMicrosPerKb.ToString(),
            },
            Measured = m,
        };
    }

    /// <summary>The twin run behind the figure (not serialized): the ledger of the measured span and what happened in it.</summary>
    [JsonIgnore] public Measurement? Measured { get; init; }

    /// <summary>What the measured span of a twin run held, and the flash timing its drive was charged with.</summary>
    public sealed record Measurement(LedgerSpan Span, long Readings, long Connections, long Boots, long Wakes, long Acknowledged, string Sleep, LittleFsGeometry Flash);

    /// <summary>
    /// The span's interpreted IL at another interpreter rate: its charge (µA·ms, as cpu_il charges
    /// it) and the change of the span's whole charge. A linear estimate from the counted IL, not a
    /// rerun: the node wakes on its timer, so CPU time gained or lost is sleep time lost or gained,
    /// at the span's average sleep current.
    /// </summary>
    public static (double CpuIl, double Delta) AtIlRate(PowerProfile p, LedgerSpan span, double ilPerSecond)
    {
        double ms = span.IlExecuted * 1000.0 / ilPerSecond;
        double cpuIl = span.CpuShare * ms * p.ActiveMicroamps;
        double was = span.CpuShare * span.Active(ActiveWork.Interpreter) * p.ActiveMicroamps;
        long sleptMs = span.Cpu(CpuState.LightSleep) + span.Cpu(CpuState.DeepSleep);
        double sleepUa = sleptMs == 0 ? 0 : ((span.Cpu(CpuState.LightSleep) * (double)p.LightSleepMicroamps) + (span.Cpu(CpuState.DeepSleep) * (double)p.DeepSleepMicroamps)) / sleptMs;
        double extraMs = ms - span.Active(ActiveWork.Interpreter);
        return (cpuIl, cpuIl - was - (extraMs * sleepUa));
    }

    /// <summary>
    /// Per-event costs measured on the twin (µA·ms, ms): a sample's awake time with the radio off, a
    /// connection (all radio-on time per join), the sensors per sample, and a CLR boot as the ledger
    /// charges it (its CPU share: see <see cref="LedgerSpan.CpuShare"/>).
    /// </summary>
    public sealed record EventCosts(double SampleCharge, double SampleMs, double ConnectionCharge, double ConnectionMs, long SensorCharge, double BootCharge)
    {
        /// <summary>The cheaper of light sleep and deep sleep plus a boot, for a sleep of <paramref name="ms"/>.</summary>
        public double SleepFloor(PowerProfile p, double ms)
        {
            ms = Math.Max(0, ms);
            return Math.Min(ms * p.LightSleepMicroamps, (ms * p.DeepSleepMicroamps) + BootCharge);
        }
    }

    /// <summary>Average current (mA) per phase of the runtime's own time accounting (the diagnostics fields), with the board's currents: what <c>energy --from</c> sees of deployed nodes.</summary>
    public static Dictionary<string, double> PhaseBreakdown(PowerProfile p, PhaseTimes times)
    {
        long total = Math.Max(1, times.TotalMs);
        double Ma(long microampMs) => Math.Round((double)microampMs / total / 1000.0, 4);
        return new Dictionary<string, double>
        {
            ["boot"] = Ma(times.BootMs * (long)p.ActiveMicroamps),
            ["sample_cpu"] = Ma(times.ActiveMs * (long)p.ActiveMicroamps),
            ["sample_wait"] = Ma(times.WaitMs * (long)p.IdleMicroamps),
            ["sensors"] = Ma(times.SensorMicroampMs),
            ["radio"] = Ma(times.RadioMs * (long)p.RadioMicroamps),
            ["light_sleep"] = Ma(times.LightSleepMs * (long)p.LightSleepMicroamps),
            ["deep_sleep"] = Ma(times.DeepSleepMs * (long)p.DeepSleepMicroamps),
        };
    }

    /// <summary>
    /// Runs <see cref="Measure"/> in the <see cref="InstrumentedContext"/> (directly when this code
    /// already is there): the workload goes in and the measurement comes back as JSON, since the
    /// context's types are not this context's. One run at a time: the IL counter is process-wide.
    /// </summary>
    private static Measurement MeasureInstrumented(Workload w, int days, string boardSource, int ilPerSecond)
    {
        var request = new MeasureRequest(w.SampleSeconds, w.PublishSeconds, w.Sensors.Select(s => s.Sensor).ToArray(), w.Sensors.Select(s => s.Channels).ToArray(),
            w.Placements, w.OtherConfig, days, boardSource, ilPerSecond);
        string json = JsonSerializer.Serialize(request);
        string reply;
        lock (InstrumentedContext.Gate)
        {
            reply = IlMeter.Instrumented ? MeasureJson(json) : InstrumentedContext.Shared.Invoke(typeof(EnergyReport), nameof(MeasureJson), json);
        }

        var r = JsonSerializer.Deserialize<MeasureReply>(reply)!;
        return new Measurement(LedgerSpan.FromData(r.Span), r.Readings, r.Connections, r.Boots, r.Wakes, r.Acknowledged, r.Sleep, r.Flash);
    }

    /// <summary>The entry point inside the instrumented context: a <see cref="MeasureRequest"/> in, a <see cref="MeasureReply"/> out.</summary>
    public static string MeasureJson(string request)
    {
        var q = JsonSerializer.Deserialize<MeasureRequest>(request)!;
        var meter = IlMeter.For(q.IlPerSecond) ?? throw new InvalidOperationException("energy: CityNode.Core is not instrumented in this load context");
        var w = new Workload(q.SampleSeconds, q.PublishSeconds, q.Sensors.Zip(q.Channels).ToArray()) { Placements = q.Placements, OtherConfig = q.OtherConfig };
        var m = Measure(w, q.Days, q.BoardSource, meter);
        return JsonSerializer.Serialize(new MeasureReply(m.Span.ToData(), m.Readings, m.Connections, m.Boots, m.Wakes, m.Acknowledged, m.Sleep, m.Flash));
    }

    private sealed record MeasureRequest(long SampleSeconds, long PublishSeconds, string[] Sensors, int[] Channels, string[]? Placements, string OtherConfig, int Days, string BoardSource, int IlPerSecond);

    private sealed record MeasureReply(LedgerSpan.Data Span, long Readings, long Connections, long Boots, long Wakes, long Acknowledged, string Sleep, LittleFsGeometry Flash);

    /// <summary>Boots the device program on a twin board next to an embedded broker and runs it for the start-up window and the measured span.</summary>
    private static Measurement Measure(Workload w, int days, string boardSource, InterpreterMeter meter)
    {
        var broker = EmbeddedBroker.StartAsync().GetAwaiter().GetResult();
        try
        {
            var clock = new VirtualClock(1_700_000_000);
            var placements = w.Sensors.Select((s, i) => (s.Sensor, w.Placements?[i] ?? Workload.DefaultPlacement(s.Sensor))).ToList();
            var hardware = NodeHardware.ForSensors(clock, placements, new World());
            long publish = Math.Max(w.PublishSeconds, w.SampleSeconds);
            string config = $"node.id = 1\nsample = {w.SampleSeconds}s\npublish = {publish}s\n" + w.OtherConfig;
            var node = new DeviceNode(1, clock, hardware, BrokerAddress.Parse(broker.Url), config, new NodeStorage(16), boardSource);
            node.Board.Meter = meter;
            node.Boot();

            // Long enough for 20 publish windows, at least two days; the first window is left out (start-up).
            long window = publish * 1000;
            long span = days > 0 ? days * 86_400_000L : Math.Max(2 * 86_400_000L, 20 * window);
            RunUntil(node, window, null);
            var before = LedgerSpan.Of(node.Board.Ledger);
            long readings = node.ProducedReadings;
            long acked = node.TotalAcknowledged;
            int boots = node.Board.Boots;
            var counts = new long[2];
            RunUntil(node, node.ElapsedMs + span, counts); // a wake may overrun the window (a node that never sleeps)
            var ledger = LedgerSpan.Of(node.Board.Ledger).Minus(before);
            long deep = node.Board.Boots - boots;

            // A wake per sample (the node light-sleeps through warm-ups too, so the board's light-sleep time does not tell).
            long wakes = (node.ProducedReadings - readings) / Math.Max(1, w.ChannelCount);
            string sleep = deep == 0 ? (ledger.Cpu(CpuState.LightSleep) == 0 ? "none" : "light") : deep >= wakes ? "deep" : $"mixed ({deep} deep of {wakes} wakes)";
            return new Measurement(ledger, node.ProducedReadings - readings, counts[0], deep, wakes, node.TotalAcknowledged - acked, sleep, node.Board.Drive.Geometry);
        }
        finally
        {
            broker.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Steps the node until it has lived <paramref name="elapsedMs"/>; counts the joins (steps in which
    /// the radio spent time connecting: with the join at boot, that is the step that ends in the deep
    /// sleep before the publishing wake) and all wakes.
    /// </summary>
    private static void RunUntil(DeviceNode node, long elapsedMs, long[]? counts)
    {
        while (node.ElapsedMs < elapsedMs)
        {
            long connecting = node.Board.Ledger.RadioMs(RadioState.Connecting);
            node.Step();

            if (node.Dead)
            {
                throw new InvalidOperationException("energy: the device program stopped on the twin: " + string.Join(" | ", node.Board.ConsoleLines.TakeLast(5)));
            }

            if (counts is not null)
            {
                counts[1]++;
                if (node.Board.Ledger.RadioMs(RadioState.Connecting) > connecting)
                {
                    counts[0]++;
                }
            }
        }
    }

    /// <summary>
    /// The least any policy can draw for the workload on the twin's costs: the sensors and the awake
    /// time to read them, between samples the cheaper of light sleep and deep sleep plus a CLR boot,
    /// and one connection per freshness window — the longest stretch a connection can cover while no
    /// sample waits more than the publish interval: (⌊P / S⌋ + 1) samples.
    /// </summary>
    public static double LowerBound(PowerProfile p, Workload w, EventCosts c)
    {
        double n = Math.Floor((double)w.PublishSeconds / w.SampleSeconds) + 1;
        double windowMs = n * w.SampleSeconds * 1000;
        double sleepMs = windowMs - (n * c.SampleMs) - c.ConnectionMs;
        double perSample = c.SensorCharge + c.SampleCharge + c.SleepFloor(p, sleepMs / n);
        return ((n * perSample) + c.ConnectionCharge) / windowMs / 1000;
    }

    /// <summary>ESPHome's way: wake, read, connect and publish every sample, sleep the cheaper sleep in between.</summary>
    public static double Esphome(PowerProfile p, Workload w, EventCosts c)
    {
        double sampleMs = w.SampleSeconds * 1000;
        double sleepMs = sampleMs - c.SampleMs - c.ConnectionMs;
        return (c.SensorCharge + c.SampleCharge + c.ConnectionCharge + c.SleepFloor(p, sleepMs)) / sampleMs / 1000;
    }

    /// <summary>airRohr's way: CPU and Wi-Fi on all the time, a publish every sample.</summary>
    public static double AlwaysOnMa(PowerProfile p, Workload w, EventCosts c)
    {
        double sampleMs = w.SampleSeconds * 1000;
        return (c.SensorCharge + c.ConnectionCharge + (Math.Max(0, sampleMs - c.ConnectionMs) * p.ActiveMicroamps)) / sampleMs / 1000;
    }
}
