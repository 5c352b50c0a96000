using CityNode.Config;
using CityNode.Delivery;
using CityNode.Drivers.Registry;
using CityNode.Hal;
using CityNode.Host.Mqtt;
using CityNode.Host.SimulatedHal;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// One virtual node: simulated chips on a simulated bus, fed from a recording, the real drivers,
/// the real <see cref="NodeRuntime"/> over a simulated NOR flash, and a real MQTT connection.
/// Only the interface implementations differ from the ESP32 program: it is assembled by
/// <see cref="NodeAssembly"/> and lives by the device's <see cref="WakeSleepDriver"/> on a
/// <see cref="VirtualBoard"/>. What a reset loses is lost here too: on a deep-sleep wake or a power
/// cut the runtime, the drivers and the RAM ring are built anew, and only the flash, the chips and
/// the clock carry over.
/// </summary>
public sealed class SimulatedNode : ISimNode
{
    private readonly NodeHardware _hardware;
    private readonly BrokerAddress _broker;
    private readonly long _startUnix;
    private readonly WakeSleepDriver _driver;

    /// <summary>The runtime and sampler whose counters <see cref="Collect"/> has not added yet (a reset replaces them).</summary>
    private NodeRuntime _runtime;
    private Sampler _sampler;

    /// <param name="hardware">Built on <paramref name="clock"/>: the chips and probes of this node.</param>
    /// <param name="configText">The node config without its sensor lines (they come from the hardware).</param>
    public SimulatedNode(uint id, VirtualClock clock, NodeHardware hardware, BrokerAddress broker, string configText, NodeStorage storage)
    {
        Id = id;
        Kind = hardware.Kind;
        _hardware = hardware;
        Clock = clock;
        _startUnix = clock.UnixSeconds;
        _broker = broker;
        Platform = new SimPlatform();
        ProvisionedConfig = NodeConfig.Parse(configText + "\n" + hardware.SensorLines);
        Flash = new SimFlashProvider((int)id);
        Power = new PowerProfile();
        Board = new VirtualBoard(clock, Platform, Power, config => new Sampler(SensorFactory.Create(config, _hardware.Buses), Clock), _ => new MqttNetUplink(_broker, $"citynode-{Id}", Clock)
        {
            NetworkUp = () => NetworkUp(),
            AckLossProbability = AckLossProbability,
        });

        // Put together as the ESP32 program does (NodeAssembly), with simulated parts.
        _driver = Board.Assemble(new NodeAssembly(Flash, ProvisionedConfig, new NodeOptions(storage.JournalSectors * NodeAssembly.JournalSectorSize / 1024)));
        _runtime = _driver.Runtime;
        _sampler = _driver.Sampler;
    }

    public uint Id { get; }

    public string Kind { get; }

    public VirtualClock Clock { get; }

    public SimPlatform Platform { get; }

    /// <summary>The config file written at provisioning.</summary>
    public NodeConfig ProvisionedConfig { get; }

    /// <summary>What the node runs with: the provisioned config with the persisted remote document over it.</summary>
    public NodeConfig Config => _driver?.Runtime.Config ?? ProvisionedConfig;

    /// <summary>Restarts the node did to apply a remote configuration.</summary>
    public int ConfigRestarts { get; private set; }

    /// <summary>The node's flash regions (journal, staging, config, crash), kept over resets.</summary>
    public SimFlashProvider Flash { get; }

    /// <summary>What sleeping and resetting do to this node (the virtual clock, the simulated board).</summary>
    public VirtualBoard Board { get; }

    public SimFlash ConfigFlash => Flash["config"];

    public SimFlash CrashFlash => Flash["crash"];

    public PowerProfile Power { get; }

    public SimFlash JournalFlash => Flash["journal"];

    public SimFlash StagingFlash => Flash["staging"];

    public Sampler Sampler => _driver.Sampler;

    public IBatchStore Store => _driver.Assembly.Store;

    public NodeRuntime Runtime => _driver.Runtime;

    /// <summary>The wake/sleep driver the node lives by (its assembly, runtime, resets).</summary>
    public WakeSleepDriver Driver => _driver;

    public MqttNetUplink Uplink => (MqttNetUplink)_driver.Uplink;

    public World World => _hardware.World;

    public NodeHardware Hardware => _hardware;

    /// <summary>Resets the node went through (deep-sleep wakes, restarts and power cuts).</summary>
    public int Reboots => _driver.Resets;

    public int PowerCuts { get; private set; }

    /// <summary>Shared fault switches of the simulation (network outage, lost PUBACKs).</summary>
    public Func<bool> NetworkUp { get; set; } = () => true;

    public double AckLossProbability
    {
        get => _ackLoss;
        set
        {
            _ackLoss = value;
            if (_driver is not null)
            {
                Uplink.AckLossProbability = value;
            }
        }
    }

    private double _ackLoss;

    /// <summary>Virtual milliseconds since the node started.</summary>
    public long ElapsedMs => Clock.MonotonicMs - (_startUnix * 1000);

    /// <summary>Readings taken and kept, over all the node's boots.</summary>
    public long ProducedReadings => _driver.ProducedReadings;

    /// <summary>Readings the node itself counted as dropped (ring overflow, full journal, quarantine); kept in flash.</summary>
    public long DroppedReadings => Runtime.Ring.DroppedReadings + Store.DroppedReadings + Store.QuarantinedReadings;

    public long RefusedBatches => Store.QuarantinedBatches + _refusedKeptBefore + Runtime.Publisher.RefusedKept;

    private long _refusedKeptBefore;

    /// <summary>Sensor faults the sampler counted, over all boots.</summary>
    public long SensorFaults => _faultsBefore + Sampler.FaultCount;

    private long _faultsBefore;

    /// <summary>Batches acknowledged by the broker, over all boots.</summary>
    public long Acknowledged { get; private set; }

    /// <summary>Failed delivery attempts, over all boots.</summary>
    public long Retries { get; private set; }

    public void Boot() => _driver.Boot(0);

    public long TotalAcknowledged => Acknowledged + Runtime.Publisher.Acknowledged;

    // The node keeps its resend count over deep sleep (runtime record): the highest seen, not a sum over boots.
    public long TotalResent => Math.Max(_resentBefore, Runtime.Publisher.Resent);

    private long _resentBefore;

    public long TotalRetries => Retries + Runtime.FailedDeliveries;

    public int MaxSectorErases => JournalFlash.EraseCounts.Max();

    public int BatteryMillivolts => Platform.BatteryMillivolts;

    public int ConfigVersion => Config.Version;

    void ISimNode.Step() => Step();

    /// <summary>Makes the node lose power at one of its next flash writes.</summary>
    public void ArmPowerCut(Random random)
    {
        var flash = random.Next(3) == 0 ? JournalFlash : StagingFlash;
        flash.PowerCutAt = flash.WriteOperations + 1 + random.Next(6);
    }

    /// <summary>Battery the node started with (mAh) and what it has drawn so far, from the same phases its diagnostics report.</summary>
    public double BatteryMah { get; set; } = 3000;

    public double ConsumedMah { get; private set; }

    private readonly PhaseTimes _accounted = new();

    /// <summary>Charges the time <paramref name="runtime"/> spent since the last call at the board's currents and updates the battery voltage.</summary>
    private void Drain(NodeRuntime runtime)
    {
        var t = runtime.Totals;
        var delta = new PhaseTimes
        {
            BootMs = t.BootMs - _accounted.BootMs,
            ActiveMs = t.ActiveMs - _accounted.ActiveMs,
            WaitMs = t.WaitMs - _accounted.WaitMs,
            RadioMs = t.RadioMs - _accounted.RadioMs,
            LightSleepMs = t.LightSleepMs - _accounted.LightSleepMs,
            DeepSleepMs = t.DeepSleepMs - _accounted.DeepSleepMs,
        };
        _accounted.Clear();
        _accounted.Add(t);
        ConsumedMah += EnergyModel.Charge(Power, delta) / 3_600_000_000.0;
        double soc = Math.Clamp(1 - (ConsumedMah / BatteryMah), 0, 1);
        Platform.BatteryMillivolts = LiIonMillivolts(soc);
    }

    /// <summary>Open-circuit voltage of a Li-ion cell against state of charge (typical 18650 curve).</summary>
    public static int LiIonMillivolts(double soc)
    {
        (double Soc, double Mv)[] curve = { (0, 3000), (0.05, 3450), (0.2, 3650), (0.5, 3800), (0.8, 3950), (1, 4150) };
        for (int i = 1; i < curve.Length; i++)
        {
            if (soc <= curve[i].Soc)
            {
                double f = (soc - curve[i - 1].Soc) / (curve[i].Soc - curve[i - 1].Soc);
                return (int)(curve[i - 1].Mv + (f * (curve[i].Mv - curve[i - 1].Mv)));
            }
        }

        return 4150;
    }

    /// <summary>Runs one cycle and sleeps as the runtime asked (<see cref="WakeSleepDriver"/>); a power cut reboots the node.</summary>
    public CycleOutcome? Step()
    {
        CycleOutcome outcome;
        try
        {
            outcome = _driver.Step(Board);
        }
        catch (PowerCutException)
        {
            PowerCuts++;
            PowerCut(5000);
            return null;
        }

        if (outcome.RestartRequested)
        {
            ConfigRestarts++; // a remote configuration changed buffers or drivers: restarted as the device does
        }

        Collect();
        return outcome;
    }

    /// <summary>Seals what is buffered and delivers everything pending (end of the simulation).</summary>
    public bool Flush()
    {
        try
        {
            return Runtime.Flush();
        }
        catch (PowerCutException)
        {
            PowerCut(0);
            return false;
        }
    }

    private void PowerCut(long offMs)
    {
        try
        {
            Board.PowerCut(_driver, offMs);
        }
        catch (PowerCutException)
        {
            // Power failed again while booting: try once more (the flash is consistent either way).
            PowerCuts++;
            _driver.Restart(ResetCause.PowerOn);
        }

        Collect();
    }

    /// <summary>
    /// Charges the time spent at the board's currents; when a reset replaced the runtime, adds what the
    /// old one counted (RAM counters die with it; the resend count is kept in flash, so the highest is kept).
    /// </summary>
    private void Collect()
    {
        if (_runtime != _driver.Runtime)
        {
            Drain(_runtime);
            _accounted.Clear();
            _faultsBefore += _sampler.FaultCount;
            Acknowledged += _runtime.Publisher.Acknowledged;
            _resentBefore = Math.Max(_resentBefore, _runtime.Publisher.Resent);
            _refusedKeptBefore += _runtime.Publisher.RefusedKept;
            Retries += _runtime.FailedDeliveries;
            _runtime = _driver.Runtime;
            _sampler = _driver.Sampler;
        }

        Drain(_runtime);
    }

    public void Dispose() => Uplink.Dispose();
}

/// <summary>Flash given to each simulated node: journal sectors of 4 KB (the staging log, config and crash counter are fixed, see NodeAssembly).</summary>
public sealed record NodeStorage(int JournalSectors = 64);
