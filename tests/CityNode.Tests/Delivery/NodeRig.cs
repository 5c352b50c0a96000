using CityNode.Config;
using CityNode.Delivery;
using CityNode.Hal;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Host.Sim;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;

namespace CityNode.Tests.Delivery;

/// <summary>
/// One node with the reference workload (8 channels, one sample a minute) on a simulated flash,
/// a real MQTT client to an embedded broker, and a receiver that keeps what it stores.
/// </summary>
public sealed class NodeRig : IAsyncDisposable
{
    public readonly VirtualClock Clock = new(1_700_000_000);
    public readonly SimPlatform Platform = new();
    public readonly SimFlash JournalFlash;
    public readonly SimFlash StagingFlash;
    public readonly SimFlash ConfigFlash = new(4096, 2, seed: 5);
    public readonly ScriptedSensor Sensor;
    public readonly MemorySink Sink = new();
    public EmbeddedBroker Broker = null!;
    public Receiver Receiver = null!;
    public MqttNetUplink Uplink = null!;
    public NodeRuntime Runtime = null!;
    public FlashJournal Journal = null!;
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
        JournalFlash = new SimFlash(sectorSize, journalSectors);
        StagingFlash = new SimFlash(4096, 4);
        // Slow signals: a daily swing plus small steps, different per channel.
        Sensor = new ScriptedSensor(channels, () => Clock.UnixSeconds, (t, c) => (long)(((20 + c) + (3 * Math.Sin(t / 86400.0 * 2 * Math.PI)) + ((t / 600 % 7) * 0.01 * c)) * 1_000_000));
        Config = NodeConfig.Parse(Merge($"node.id = 42\nsample = 60s\npublish = 15m\nbatch = 64\nsleep = auto\n", extraConfig));
    }

    public long ElapsedMs => Clock.MonotonicMs - _start;

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

    public void Boot(ResetCause cause = ResetCause.PowerOn)
    {
        Uplink?.Dispose();
        Platform.ResetCause = cause;
        Uplink = new MqttNetUplink(BrokerAddress.Parse(UplinkUrl ?? Broker.Url), "citynode-42", Clock) { NetworkUp = () => NetworkUp, CleanStart = CleanStart };
        var sampler = new Sampler(new ISensor[] { Sensor }, Clock);
        var configStore = new ConfigStore(ConfigFlash);
        var effective = RemoteConfig.Effective(Config, configStore);
        var services = new NodeServices
        {
            Clock = Clock,
            Platform = Platform,
            Uplink = Uplink,
            Store = Journal = new FlashJournal(JournalFlash, 1),
            Staging = new SampleStaging(StagingFlash, sampler.ChannelCount, effective.Batch + 8),
            Sampler = sampler,
            ConfigStore = configStore,
            ProvisionedConfig = Config,
            Power = new PowerProfile(),
            RingBytes = 16 * 1024,
            MaxPayloadBytes = BatchEncoder.WorstCaseSize(effective.Batch, sampler.ChannelCount),
        };
        Runtime = new NodeRuntime(effective, services);
        Runtime.Boot(0);
    }


    /// <summary>Runs cycles until the node has lived <paramref name="duration"/> more.</summary>
    public long RunFor(TimeSpan duration)
    {
        long produced = 0;
        long until = Clock.MonotonicMs + (long)duration.TotalMilliseconds;
        while (Clock.MonotonicMs < until)
        {
            long before = Runtime.ProducedReadings;
            var o = Runtime.RunCycle();
            produced += Runtime.ProducedReadings - before;
            if (o.RestartRequested)
            {
                ConfigRestarts++;
                Boot(ResetCause.Software);
                continue;
            }

            long wake = Clock.MonotonicMs + Math.Max(o.SleepMs, 1000);
            wake = (wake + 999) / 1000 * 1000;
            long ms = wake - Clock.MonotonicMs;
            Clock.Advance(ms);
            Runtime.Slept(o.Sleep, ms);
        }

        return produced;
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
