using CityNode.Host.Data;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.NanoTwin;

namespace CityNode.Tests.Device;

/// <summary>
/// One or more nodes running the ESP32 program itself (NodeProgram and its glue on the nanoFramework
/// twin), an embedded broker and a receiver that keeps every batch: for tests of what the device does.
/// </summary>
public sealed class DeviceRig : IAsyncDisposable
{
    private readonly EmbeddedBroker _broker;
    private readonly Receiver _receiver;

    private DeviceRig(EmbeddedBroker broker, Receiver receiver, MemorySink sink)
    {
        _broker = broker;
        _receiver = receiver;
        Sink = sink;
    }

    public MemorySink Sink { get; }

    public EmbeddedBroker Broker => _broker;

    public BrokerAddress Address => BrokerAddress.Parse(_broker.Url);

    public List<DeviceNode> Nodes { get; } = new();

    public static async Task<DeviceRig> StartAsync()
    {
        var broker = await EmbeddedBroker.StartAsync();
        var sink = new MemorySink();
        var receiver = new Receiver(BrokerAddress.Parse(broker.Url), sink) { SessionExpiry = TimeSpan.FromMinutes(5) };
        await receiver.StartAsync();
        return new DeviceRig(broker, receiver, sink);
    }

    /// <summary>An air node (BME280 0x76, SDS011 or PMS5003 on COM2, SCD41 0x62) on the recordings, booted on <paramref name="board"/>.</summary>
    public DeviceNode AddAirNode(string board = "reference", bool pms = false, string config = "sample = 60s\npublish = 15m\n", int journalSectors = 16)
    {
        uint id = (uint)(Nodes.Count + 1);
        var air = Recording.Load(Paths.Data(RecordingKind.Air.Bundled));
        var co2 = Recording.Load(Paths.Data(RecordingKind.Co2.Bundled));
        long start = CitySimulation.Present(air.Times[0]);
        var clock = new VirtualClock(start);
        var hw = NodeHardware.Air(clock, RecordingKind.Air.Around(air, 0, start), RecordingKind.Co2.Around(co2, 0, start), pms);
        return Add(new DeviceNode(id, clock, hw, Address, $"node.id = {id}\n" + config, new NodeStorage(journalSectors), board));
    }

    public DeviceNode Add(DeviceNode node)
    {
        Nodes.Add(node);
        node.Boot();
        return node;
    }

    public static Surroundings AirEnvironment(Recording air, long start) => RecordingKind.Air.Around(air, 0, start);

    /// <summary>Steps every node until each has lived <paramref name="duration"/> of virtual time; <paramref name="each"/> runs before every step.</summary>
    public void Run(TimeSpan duration, Action<DeviceNode>? each = null)
    {
        foreach (var n in Nodes)
        {
            long until = n.ElapsedMs + (long)duration.TotalMilliseconds;
            while (n.ElapsedMs < until)
            {
                each?.Invoke(n);
                n.Step();
            }
        }
    }

    /// <summary>Waits (real time) until the receiver has everything the broker acknowledged.</summary>
    public async Task SettleAsync()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(20) && _receiver.Stats.Batches + _receiver.Stats.DuplicatesSuppressed < _broker.Accepted)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Every sample's slot for a channel, missing ones included: (time, status).</summary>
    public IEnumerable<(long Time, byte Status)> Slots(uint node, int channel)
    {
        foreach (var b in Sink.Batches.Where(b => b.NodeId == node).OrderBy(b => b.Sequence))
        {
            var s = b.Samples;
            for (int c = 0; c < s.ChannelCount; c++)
            {
                if (s.Channels[c].Id != channel)
                {
                    continue;
                }

                for (int i = 0; i < s.Count; i++)
                {
                    yield return (s.Times[i], s.Status[s.Index(c, i)]);
                }
            }
        }
    }

    public IEnumerable<Reading> Readings(uint node, int channel) =>
        Sink.Batches.Where(b => b.NodeId == node).SelectMany(Reading.From).Where(r => r.ChannelId == channel).OrderBy(r => r.Time);

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _broker.DisposeAsync();
    }
}
