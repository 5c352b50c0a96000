using System.Text.Json.Serialization;
using CityNode.Config;
using CityNode.Host.Stores;
using CityNode.Power;

namespace CityNode.Host.Reports;

/// <summary>
/// Battery life from what nodes reported: every batch's diagnostics carry the milliseconds spent
/// booting, sampling, waiting on sensors, connecting, publishing and sleeping since the batch
/// before, so summed per node they are the node's measured time budget. The board's currents turn
/// it into charge (the sensors' share is modelled from the readings, as their current is not
/// reported), set beside the model's figure for the same workload.
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
        long sensorChargePerSample = CityNode.Drivers.Registry.SensorPower.ChargePerSample(workload.Sensors.Select(s => s.Sensor).ToArray());
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
                Samples = b.Readings / Math.Max(1, workload.ChannelCount),
            };
            t.ActiveMs = Math.Max(0, (b.Diagnostic("sample_ms") ?? 0) - t.WaitMs);
            t.SensorMicroampMs = t.Samples * sensorChargePerSample;
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
}
