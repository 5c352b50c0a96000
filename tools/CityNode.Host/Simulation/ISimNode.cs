namespace CityNode.Host.Simulation;

/// <summary>
/// A node of the simulated city as <see cref="CitySimulation"/> drives and counts it. Two kinds:
/// <see cref="DeviceNode"/> runs the ESP32 program itself on the nanoFramework twin (the default),
/// <see cref="SimulatedNode"/> assembles the runtime directly from host parts (kept for the tests
/// that need to reach inside a node).
/// </summary>
public interface ISimNode : IDisposable
{
    uint Id { get; }

    string Kind { get; }

    World World { get; }

    NodeHardware Hardware { get; }

    /// <summary>Virtual milliseconds since the node started.</summary>
    long ElapsedMs { get; }

    /// <summary>Readings taken and kept, over all the node's boots.</summary>
    long ProducedReadings { get; }

    /// <summary>Readings the node itself counted as dropped (ring overflow, full journal, quarantine).</summary>
    long DroppedReadings { get; }

    /// <summary>Publishes the broker refused (MQTT 5 reason ≥ 0x80, e.g. an ACL denial): quarantined and counted by the node, or, with delivery.ack = backend, kept in flash for a later try.</summary>
    long RefusedBatches { get; }

    long SensorFaults { get; }

    /// <summary>Batches released from flash (backend acknowledgement, or PUBACK with delivery.ack = broker), over all boots.</summary>
    long TotalAcknowledged { get; }

    /// <summary>Batches sent again because the backend had not acknowledged them in time, over all boots.</summary>
    long TotalResent { get; }

    /// <summary>Failed delivery attempts, over all boots.</summary>
    long TotalRetries { get; }

    int PowerCuts { get; }

    int Reboots { get; }

    /// <summary>Most erases of one block of the node's journal storage (wear).</summary>
    int MaxSectorErases { get; }

    int BatteryMillivolts { get; }

    /// <summary>The configuration the node runs (the provisioned one with the remote document over it).</summary>
    CityNode.Config.NodeConfig Config { get; }

    /// <summary>Version of the configuration the node runs.</summary>
    int ConfigVersion { get; }

    /// <summary>When false, the node's network is down (an outage).</summary>
    Func<bool> NetworkUp { get; set; }

    /// <summary>Share of PUBACKs lost on the way back to the node.</summary>
    double AckLossProbability { get; set; }

    void Boot();

    /// <summary>Runs the node until it sleeps again.</summary>
    void Step();

    /// <summary>Seals what is buffered and delivers everything pending; true when nothing is left.</summary>
    bool Flush();

    /// <summary>Makes the node lose power at one of its next flash writes.</summary>
    void ArmPowerCut(Random random);
}
