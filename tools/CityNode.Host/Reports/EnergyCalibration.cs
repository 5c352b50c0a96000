using System.Text.Json.Serialization;
using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Stores;
using CityNode.Power;

namespace CityNode.Host.Reports;

/// <summary>
/// Battery life from what nodes reported: every batch's diagnostics carry the milliseconds spent
/// booting, sampling, waiting on sensors, connecting, publishing and sleeping since the batch
/// before, so summed per node they are the node's measured time budget. The board's currents turn
/// it into charge (the sensors' share is modelled from the readings, as their current is not
/// reported: each node's sensors are the ones whose channels it reported, and a batch's samples are
/// its distinct reading times), set beside the model's figure for the workload asked for. So the
/// measured figure depends on the database and the board only; the workload (--config, --channels,
/// the board's sensors) changes the model's figure.
/// </summary>
public sealed class EnergyCalibration
{
    [JsonPropertyName("board")] public required string Board { get; init; }

    /// <summary>Measured average current over all nodes' covered time.</summary>
    [JsonPropertyName("avg_ma")] public required double AverageMilliamps { get; init; }

    [JsonPropertyName("days")] public required double Days { get; init; }

    [JsonPropertyName("model_avg_ma")] public required double ModelMilliamps { get; init; }

    /// <summary>Measured over modelled: above 1, the field costs more than the model says.</summary>
    [JsonPropertyName("measured_over_model")] public required double MeasuredOverModel { get; init; }

    [JsonPropertyName("breakdown_ma")] public required Dictionary<string, double> Breakdown { get; init; }

    /// <summary>The sensors found in the nodes' channels (all nodes), whose current the measured figure includes.</summary>
    [JsonPropertyName("sensors")] public required string[] Sensors { get; init; }

    [JsonPropertyName("baselines")] public required Dictionary<string, double> Baselines { get; init; }

    [JsonPropertyName("batches")] public required long Batches { get; init; }

    [JsonPropertyName("covered_hours")] public required double CoveredHours { get; init; }

    /// <summary>Radio milliseconds per batch the nodes reported, against the board's connect_publish_ms.</summary>
    [JsonPropertyName("radio_ms_per_batch")] public required double RadioMsPerBatch { get; init; }

    [JsonPropertyName("nodes")] public required List<NodeFigure> Nodes { get; init; }

    public sealed record NodeFigure(
        [property: JsonPropertyName("node")] uint Node,
        [property: JsonPropertyName("batches")] long Batches,
        [property: JsonPropertyName("covered_hours")] double CoveredHours,
        [property: JsonPropertyName("avg_ma")] double AverageMilliamps,
        [property: JsonPropertyName("days")] double Days,
        [property: JsonPropertyName("battery_mv")] long? LastBatteryMillivolts);

    /// <summary>Reads the store's batches (one node, or all) and computes the figures; throws <see cref="FormatException"/> if none carry time diagnostics.</summary>
    public static EnergyCalibration From(ITelemetryStore store, BoardProfile board, EnergyReport.Workload workload, int capacityMah, uint? node = null)
    {
        var p = board.Power;

        // What each node carries: its channels (→ its sensors) and each batch's sample times.
        var channels = new Dictionary<uint, HashSet<int>>();
        var times = new Dictionary<(uint Node, uint Seq), HashSet<long>>();
        foreach (var r in store.Readings(node))
        {
            (channels.TryGetValue(r.Node, out var c) ? c : channels[r.Node] = new HashSet<int>()).Add(r.ChannelId);
            (times.TryGetValue((r.Node, r.Sequence), out var t) ? t : times[(r.Node, r.Sequence)] = new HashSet<long>()).Add(r.Time);
        }

        var sensorsOf = channels.ToDictionary(kv => kv.Key, kv => SensorsOf(kv.Value));
        var all = new PhaseTimes();
        var perNode = new Dictionary<uint, (PhaseTimes Times, long Batches, long? Battery)>();
        long batches = 0;
        foreach (var b in store.Batches(node))
        {
            if (b.Diagnostic("deep_sleep_ms") is null || b.Diagnostic("boot_ms") is null)
            {
                continue; // a batch without the time fields (older firmware)
            }

            var t = new PhaseTimes
            {
                BootMs = b.Diagnostic("boot_ms") ?? 0,
                WaitMs = b.Diagnostic("wait_ms") ?? 0,
                RadioMs = (b.Diagnostic("connect_ms") ?? 0) + (b.Diagnostic("publish_ms") ?? 0),
                LightSleepMs = b.Diagnostic("light_sleep_ms") ?? 0,
                DeepSleepMs = b.Diagnostic("deep_sleep_ms") ?? 0,
                Readings = b.Readings,
                Samples = times.TryGetValue((b.Node, b.Sequence), out var sampleTimes) ? sampleTimes.Count : 0,
            };
            t.ActiveMs = Math.Max(0, (b.Diagnostic("sample_ms") ?? 0) - t.WaitMs);
            t.SensorMicroampMs = t.Samples * SensorCatalog.ChargePerSample(sensorsOf.TryGetValue(b.Node, out var sensors) ? sensors : Array.Empty<string>());
            all.Add(t);
            var (acc, n, _) = perNode.TryGetValue(b.Node, out var e) ? e : (new PhaseTimes(), 0, null);
            acc.Add(t);
            perNode[b.Node] = (acc, n + 1, b.Diagnostic("battery_mv"));
            batches++;
        }

        if (batches == 0 || all.TotalMs == 0)
        {
            throw new FormatException(node is null ? "no batch in the database carries time diagnostics" : $"node {node}: no batch with time diagnostics");
        }

        double Ma(PhaseTimes t) => (double)EnergyModel.Charge(p, t) / t.TotalMs / 1000.0;
        var model = EnergyReport.Run(board, workload, capacityMah);
        double avg = Ma(all);
        return new EnergyCalibration
        {
            Board = board.Id,
            AverageMilliamps = Math.Round(avg, 4),
            Days = Math.Round(capacityMah / avg / 24, 1),
            ModelMilliamps = model.AverageMilliamps,
            MeasuredOverModel = Math.Round(avg / model.AverageMilliamps, 3),
            Breakdown = EnergyReport.PhaseBreakdown(p, all),
            Sensors = SensorCatalog.All.Select(d => d.Name).Where(k => sensorsOf.Values.Any(v => v.Contains(k))).ToArray(),
            Baselines = model.Baselines,
            Batches = batches,
            CoveredHours = Math.Round(all.TotalMs / 3_600_000.0, 1),
            RadioMsPerBatch = Math.Round((double)all.RadioMs / batches, 0),
            Nodes = perNode.OrderByDescending(kv => Ma(kv.Value.Times))
                .Select(kv => new NodeFigure(kv.Key, kv.Value.Batches, Math.Round(kv.Value.Times.TotalMs / 3_600_000.0, 1), Math.Round(Ma(kv.Value.Times), 4),
                    Math.Round(capacityMah / Ma(kv.Value.Times) / 24, 1), kv.Value.Battery))
                .ToList(),
        };
    }

    /// <summary>
    /// The sensors behind a node's channels: each sensor's channels (its descriptor), the sensor
    /// with more channels first where one's set holds another's
    /// (PMS5003 before SDS011, BME680 before BME280); channels no sensor reports (battery) are left.
    /// </summary>
    public static string[] SensorsOf(IEnumerable<int> channels)
    {
        var left = channels.ToHashSet();
        var found = new List<string>();
        foreach (var (name, own) in SensorChannels.Value)
        {
            if (own.Count > 0 && own.IsSubsetOf(left))
            {
                found.Add(name);
                left.ExceptWith(own);
            }
        }

        return found.ToArray();
    }

    // Each sensor's channels from its descriptor, the one with more channels first (stable: catalog order among equals).
    private static readonly Lazy<(string Name, HashSet<int> Channels)[]> SensorChannels = new(() => SensorCatalog.All
        .Select(d => (d.Name, Enumerable.Range(0, d.ChannelCount).Select(i => d.Channel(i).Id).ToHashSet()))
        .OrderByDescending(s => s.Item2.Count)
        .ToArray());
}
