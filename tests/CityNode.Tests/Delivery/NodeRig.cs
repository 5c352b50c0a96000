using CityNode.Config;
using CityNode.Hal;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;

namespace CityNode.Tests.Delivery;

/// <summary>
/// One node with the reference workload (8 channels, one sample a minute) on a simulated flash,
/// a real MQTT client to an embedded broker, and a receiver that keeps what it stores. Assembled as
/// the device's node (<see cref="NodeAssembly"/>) and stepped by the device's <see cref="WakeSleepDriver"/>.
/// </summary>
public sealed class NodeRig : IAsyncDisposable
{
    public readonly VirtualClock Clock = new(1_700_000_000);
    public readonly SimPlatform Platform = new();

    /// <summary>The node's flash regions, kept over resets (journal, hint, staging, config, crash).</summary>
    public readonly SimFlashProvider Flash = new(5);
    public readonly ScriptedSensor Sensor;
    public readonly MemorySink Sink = new();
    public readonly VirtualBoard Board;
    public readonly NodeOptions Options;
    public EmbeddedBroker Broker = null!;
    public Receiver Receiver = null!;
    public WakeSleepDriver Driver = null!;
    /// <summary>The provisioned config; <see cref="Runtime"/>.Config is what runs (with a remote document over it).</summary>
    public NodeConfig Config;

    /// <summary>Restarts the node asked for to apply a remote configuration.</summary>
    public int ConfigRestarts;
    public bool NetworkUp = true;

    /// <summary>Where the node connects, if not straight to the broker (a proxy that injects faults).</summary>
    public string? UplinkUrl;

    /// <summary>MQTT clean start for the node's connections (false: resume its session).</summary>
    public bool CleanStart = true;
    private readonly long _start;

    public NodeRig(int journalSectors = 64, int sectorSize = 4096, string extraConfig = "", int channels = 8)
    {
        _start = Clock.MonotonicMs;

        // Small journals of small sectors fill within hours of virtual time (the device's sectors are 4 KB).
        Options = new NodeOptions(journalSectors * sectorSize / 1024) { JournalSectorSize = sectorSize };
        // Slow signals: a daily swing plus small steps, different per channel.
        Sensor = new ScriptedSensor(channels, () => Clock.UnixSeconds, (t, c) => (long)(((20 + c) + (3 * Math.Sin(t / 86400.0 * 2 * Math.PI)) + ((t / 600 % 7) * 0.01 * c)) * 1_000_000));
        Config = NodeConfig.Parse(Merge($"node.id = 42\nsample = 60s\npublish = 15m\nbatch = 64\nsleep = auto\n", extraConfig));
        Board = new VirtualBoard(Clock, Platform, new PowerProfile(), _ => new Sampler(new ISensor[] { Sensor }, Clock),
            _ => new MqttNetUplink(BrokerAddress.Parse(UplinkUrl ?? Broker.Url), "citynode-42", Clock) { NetworkUp = () => NetworkUp && Platform.RadioReady, CleanStart = CleanStart }); // a boot without its radio has no network
    }

    public long ElapsedMs => Clock.MonotonicMs - _start;

    public NodeRuntime Runtime => Driver.Runtime;

    /// <summary>The MQTT client of the current boot (a reset connects anew).</summary>
    public MqttNetUplink Uplink => (MqttNetUplink)Driver?.Uplink!;

    public FlashJournal Journal => Driver.Assembly.Journal;

    public SimFlash JournalFlash => Flash["journal"];

    public SimFlash StagingFlash => Flash["staging"];

    public SimFlash ConfigFlash => Flash["config"];

    /// <summary>Base config lines overridden by the test's own.</summary>
    internal static string Merge(string baseLines, string extra)
    {
        var keys = extra.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')[0].Trim()).ToHashSet();
        return string.Join("\n", baseLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !keys.Contains(l.Split('=')[0].Trim()))) + "\n" + extra;
    }

    public static async Task<NodeRig> StartAsync(int journalSectors = 64, int sectorSize = 4096, string extraConfig = "", int channels = 8)
    {
        var rig = new NodeRig(journalSectors, sectorSize, extraConfig, channels);
        rig.Broker = await EmbeddedBroker.StartAsync();
        rig.Receiver = new Receiver(BrokerAddress.Parse(rig.Broker.Url), rig.Sink);
        await rig.Receiver.StartAsync();
        rig.Boot();
        return rig;
    }

    /// <summary>A reset of <paramref name="cause"/> (the first call: power-on): RAM and the connection are gone, flash is kept.</summary>
    public void Boot(ResetCause cause = ResetCause.PowerOn)
    {
        if (Driver is null)
        {
            Driver = Board.Assemble(new NodeAssembly(Flash, Config, Options));
            Driver.Boot(0);
        }
        else
        {
            Driver.Restart(cause);
        }
    }

    /// <summary>Runs cycles until the node has lived <paramref name="duration"/> more; returns the readings it took meanwhile.</summary>
    public long RunFor(TimeSpan duration)
    {
        long before = Driver.ProducedReadings;
        long until = Clock.MonotonicMs + (long)duration.TotalMilliseconds;
        while (Clock.MonotonicMs < until)
        {
            if (Driver.Step(Board).RestartRequested)
            {
                ConfigRestarts++;
            }
        }

        return Driver.ProducedReadings - before;
    }

    /// <summary>Publishes a retained configuration document for the node, as citynode configure does.</summary>
    public async Task RetainConfigAsync(string document)
    {
        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(MqttClientSetup.Options(BrokerAddress.Parse(Broker.Url), "backend-test").Build());
        await client.PublishAsync(ConfigTopic.Message(42, document));
        await MQTTnet.MqttClientExtensions.DisconnectAsync(client);
    }

    /// <summary>Waits until the receiver has everything the broker accepted.</summary>
    public async Task SettleAsync()
    {
        for (int i = 0; i < 200 && Receiver.Stats.Batches + Receiver.Stats.DuplicatesSuppressed < Broker.Accepted; i++)
        {
            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Uplink?.Dispose();
        await Receiver.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
