using System.Text.Json.Serialization;

namespace CityNode.Host.Simulation;

/// <summary>The end-of-run reconciliation. <c>lost</c> = produced − delivered − dropped_counted must be 0.</summary>
public sealed class SimulationSummary
{
    [JsonPropertyName("nodes")] public int Nodes { get; init; }

    [JsonPropertyName("kind")] public string Kind { get; init; } = "";

    /// <summary>What the nodes ran: "esp32-program" (NodeProgram and its glue on the nanoFramework twin) or "host-assembly".</summary>
    [JsonPropertyName("firmware")] public string Firmware { get; init; } = "";

    [JsonPropertyName("board")] public string Board { get; init; } = "";

    /// <summary>Boots at which the device program could not start the node (no config, no network time), and nodes left running nothing.</summary>
    [JsonPropertyName("failed_boots")] public int FailedBoots { get; init; }

    [JsonPropertyName("dead_nodes")] public int DeadNodes { get; init; }

    [JsonPropertyName("simulated_seconds")] public long SimulatedSeconds { get; init; }

    [JsonPropertyName("wall_seconds")] public double WallSeconds { get; init; }

    [JsonPropertyName("produced")] public long Produced { get; init; }

    [JsonPropertyName("delivered")] public long Delivered { get; init; }

    [JsonPropertyName("dropped_counted")] public long DroppedCounted { get; init; }

    [JsonPropertyName("duplicates_suppressed")] public long DuplicatesSuppressed { get; init; }

    [JsonPropertyName("lost")] public long Lost => Produced - Delivered - DroppedCounted;

    /// <summary>Delivered readings whose value differs from the recording at its resolution.</summary>
    [JsonPropertyName("mismatched")] public long Mismatched { get; init; }

    /// <summary>Compensated readings checked within the compensation band (their input stepped while read), and not checked (input failed).</summary>
    [JsonPropertyName("values_within_band")] public long ValuesWithinBand { get; init; }

    [JsonPropertyName("values_uncompensated")] public long ValuesUncompensated { get; init; }

    /// <summary>Readings taken within 2 minutes of where the recording starts over (the world jumps there), not checked.</summary>
    [JsonPropertyName("values_near_wrap")] public long ValuesNearWrap { get; init; }

    [JsonPropertyName("values_checked")] public long ValuesChecked { get; init; }

    [JsonPropertyName("batches")] public long Batches { get; init; }

    [JsonPropertyName("payload_bytes")] public long PayloadBytes { get; init; }

    [JsonPropertyName("bytes_per_reading")] public double BytesPerReading => Delivered == 0 ? 0 : Math.Round((double)PayloadBytes / Delivered, 4);

    [JsonPropertyName("publish_retries")] public long PublishRetries { get; init; }

    /// <summary>Batches the broker refused for good (the nodes quarantined them: part of dropped_counted); more than 0 fails the run.</summary>
    [JsonPropertyName("publishes_refused")] public long PublishesRefused { get; init; }

    [JsonPropertyName("gaps")] public long Gaps { get; init; }

    [JsonPropertyName("out_of_order")] public long OutOfOrder { get; init; }

    [JsonPropertyName("power_cuts")] public int PowerCuts { get; init; }

    [JsonPropertyName("reboots")] public int Reboots { get; init; }

    [JsonPropertyName("broker_restarts")] public int BrokerRestarts { get; init; }

    [JsonPropertyName("broker_crashes")] public int BrokerCrashes { get; init; }

    /// <summary>delivery.ack of the nodes: backend or broker.</summary>
    [JsonPropertyName("ack")] public string Ack { get; init; } = "backend";

    /// <summary>Batches released from the nodes' flash (by the backend's acknowledgement, or the PUBACK with --ack broker).</summary>
    [JsonPropertyName("acknowledged")] public long Acknowledged { get; init; }

    /// <summary>Batches the nodes sent again because the backend had not acknowledged them in time.</summary>
    [JsonPropertyName("resent")] public long Resent { get; init; }

    [JsonPropertyName("journal_max_erases_per_sector")] public int MaxSectorErases { get; init; }

    /// <summary>With --reconfigure: nodes whose batches report the new config version as applied, or as refused.</summary>
    [JsonPropertyName("config_applied")] public int ConfigApplied { get; init; }

    [JsonPropertyName("config_rejected")] public int ConfigRejected { get; init; }

    /// <summary>A refusal reason a node reported (the first one seen), to show why.</summary>
    [JsonPropertyName("config_reject_reason")] public string? ConfigRejectReason { get; init; }

    /// <summary>With --chaos: network outages and sensor-fault windows scheduled, and sensor faults the nodes counted.</summary>
    [JsonPropertyName("outages")] public int Outages { get; init; }

    [JsonPropertyName("sensor_fault_windows")] public int SensorFaultWindows { get; init; }

    [JsonPropertyName("sensor_faults")] public long SensorFaults { get; init; }

    /// <summary>With --ota: the release's version, nodes that ended on it confirmed, nodes rolled back to the version they ran before (and the commonest reason).</summary>
    [JsonPropertyName("ota_version")] public string? OtaVersion { get; init; }

    [JsonPropertyName("ota_updated")] public int OtaUpdated { get; init; }

    [JsonPropertyName("ota_rolled_back")] public int OtaRolledBack { get; init; }

    [JsonPropertyName("ota_rollback_reason")] public string? OtaRollbackReason { get; init; }

    [JsonPropertyName("rejected_payloads")] public long Rejected { get; init; }

    [JsonPropertyName("first_mismatch")] public string? FirstMismatch { get; init; }

    [JsonPropertyName("broker")] public string Broker { get; init; } = "";

    [JsonPropertyName("data")] public List<string> Data { get; init; } = new();

    /// <summary>What fails the run, one line each (none: it passed): readings lost or differing from the recording, publishes the broker refused.</summary>
    public IReadOnlyList<string> Failures()
    {
        var lines = new List<string>();
        if (Lost != 0)
        {
            lines.Add($"{Lost:N0} readings lost (produced {Produced:N0} - delivered {Delivered:N0} - dropped_counted {DroppedCounted:N0})");
        }

        if (Mismatched != 0)
        {
            lines.Add($"{Mismatched:N0} delivered values differ from the recording (first: {FirstMismatch})");
        }

        if (PublishesRefused != 0)
        {
            // Quarantined and counted as dropped by the nodes, so not "lost"; but what they measured did not arrive.
            lines.Add($"the broker refused {PublishesRefused:N0} publishes for good ({Delivered:N0} readings delivered); check its ACL and accounts (each node writes citynode/ID/up)");
        }

        return lines;
    }

    /// <summary>The end-of-run figures: what the nodes produced against what the receiver stored and the verifier checked.</summary>
    public static SimulationSummary Reconcile(SimulationOptions options, IReadOnlyList<ISimNode> nodes, Receiving.ReceiverStats stats, Verifier verifier,
        BrokerFaults broker, FaultSchedule faults, int reconfigureVersion, double wallSeconds, string brokerName, List<string> data, OtaRollout? rollout = null)
    {
        var ota = rollout?.Outcome(nodes);
        return new SimulationSummary
        {
            Nodes = nodes.Count,
            Kind = options.Kind,
            SimulatedSeconds = (long)options.Duration.TotalMilliseconds / 1000,
            WallSeconds = wallSeconds,
            Produced = nodes.Sum(n => n.ProducedReadings),
            Delivered = stats.Readings,
            DroppedCounted = nodes.Sum(n => n.DroppedReadings),
            DuplicatesSuppressed = stats.DuplicatesSuppressed,
            Mismatched = verifier.Mismatched,
            ValuesChecked = verifier.Checked,
            ValuesWithinBand = verifier.CheckedWithinBand,
            ValuesUncompensated = verifier.Uncompensated,
            ValuesNearWrap = verifier.NearWrap,
            Batches = stats.Batches,
            PayloadBytes = stats.PayloadBytes,
            PublishRetries = nodes.Sum(n => n.TotalRetries),
            PublishesRefused = nodes.Sum(n => n.RefusedBatches),
            Gaps = stats.Gaps,
            OutOfOrder = stats.OutOfOrder,
            Rejected = stats.Rejected,
            PowerCuts = nodes.Sum(n => n.PowerCuts),
            Reboots = nodes.Sum(n => n.Reboots),
            BrokerRestarts = broker.Restarts,
            BrokerCrashes = broker.Crashes,
            Ack = options.Ack,
            Acknowledged = nodes.Sum(n => n.TotalAcknowledged),
            Resent = nodes.Sum(n => n.TotalResent),
            MaxSectorErases = nodes.Max(n => n.MaxSectorErases),
            Firmware = options.Firmware,
            Board = options.Board,
            FailedBoots = nodes.OfType<DeviceNode>().Sum(n => n.FailedBoots),
            DeadNodes = nodes.OfType<DeviceNode>().Count(n => n.Dead),
            Broker = brokerName,
            Data = data,
            FirstMismatch = verifier.FirstMismatch,
            Outages = faults.Outages,
            SensorFaultWindows = faults.SensorFaultWindows,
            SensorFaults = nodes.Sum(n => n.SensorFaults),
            ConfigApplied = reconfigureVersion == 0 ? 0 : stats.Nodes.Values.Count(t => t.ConfigVersion >= reconfigureVersion),
            ConfigRejected = reconfigureVersion == 0 ? 0 : stats.Nodes.Values.Count(t => t.ConfigRejectedVersion == reconfigureVersion),
            ConfigRejectReason = stats.Nodes.Values.Select(t => t.ConfigRejectReason).FirstOrDefault(r => r is not null),
            OtaVersion = rollout?.Version,
            OtaUpdated = ota?.Updated ?? 0,
            OtaRolledBack = ota?.RolledBack ?? 0,
            OtaRollbackReason = ota?.Reason,
        };
    }
}
