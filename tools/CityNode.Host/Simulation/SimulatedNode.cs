using CityNode.Config;
using CityNode.Delivery;
using CityNode.Drivers.Bmxx80;
using CityNode.Drivers.Bmxx80.Sim;
using CityNode.Hal;
using CityNode.Host.Mqtt;
using CityNode.Host.Ports;
using CityNode.Host.Sim;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// One virtual node: simulated chips on a simulated bus, fed from a recording, the real drivers,
/// the real <see cref="NodeRuntime"/>, and a real MQTT connection. Only the interface
/// implementations differ from the ESP32 program.
/// </summary>
public sealed class SimulatedNode : IDisposable
{
    private readonly Environment _environment;
    private readonly SimI2cBus _bus = new();
    private readonly MqttNetUplink _uplink;
    private readonly NodeRuntime _runtime;
    private readonly long _startUnix;

    public SimulatedNode(uint id, string kind, Environment environment, long startUnix, BrokerAddress broker, string configText)
    {
        Id = id;
        Kind = kind;
        _environment = environment;
        _startUnix = startUnix;
        Clock = new VirtualClock(startUnix);
        Platform = new SimPlatform();
        Config = NodeConfig.Parse(configText);
        var sensors = new List<ISensor>();
        var bme = new SimBme280(() => Clock.MonotonicMs, () => Air());
        _bus.Attach(0x76, bme);
        sensors.Add(new Bmxx80Sensor(new BindingBme280Port(_bus, 0x76)));
        Sampler = new Sampler(sensors.ToArray(), Clock);
        _uplink = new MqttNetUplink(broker, $"citynode-{id}", Clock);
        Store = new RamBatchStore(256 * 1024, 1);
        var services = new NodeServices
        {
            Clock = Clock,
            Platform = Platform,
            Uplink = _uplink,
            Store = Store,
            Sampler = Sampler,
            Power = new PowerProfile(),
            RingBytes = 16 * 1024,
            MaxPayloadBytes = BatchEncoder.WorstCaseSize(Config.Batch, Sampler.ChannelCount),
        };
        _runtime = new NodeRuntime(Config, services);
    }

    public uint Id { get; }

    public string Kind { get; }

    public VirtualClock Clock { get; }

    public SimPlatform Platform { get; }

    public NodeConfig Config { get; }

    public Sampler Sampler { get; }

    public IBatchStore Store { get; }

    public NodeRuntime Runtime => _runtime;

    public MqttNetUplink Uplink => _uplink;

    public Environment Environment => _environment;

    /// <summary>Virtual milliseconds since the node started.</summary>
    public long ElapsedMs => Clock.MonotonicMs - (_startUnix * 1000);

    public long ProducedReadings => _runtime.ProducedReadings;

    /// <summary>Readings the node itself counted as dropped (ring overflow, full store, quarantine).</summary>
    public long DroppedReadings => _runtime.Ring.DroppedReadings + Store.DroppedReadings + Store.QuarantinedReadings;

    public void Boot() => _runtime.Boot(0);

    /// <summary>Runs one cycle and sleeps as the runtime asked; returns the outcome.</summary>
    public CycleOutcome Step()
    {
        var outcome = _runtime.RunCycle();
        // The RTC wakes the node on a whole second, as the runtime scheduled it.
        long wake = Clock.MonotonicMs + Math.Max(outcome.SleepMs, 1000);
        wake = (wake + 999) / 1000 * 1000;
        long ms = wake - Clock.MonotonicMs;
        Clock.Advance(ms);
        _runtime.Slept(outcome.Sleep, ms);
        return outcome;
    }

    /// <summary>Seals what is buffered and delivers everything pending (end of the simulation).</summary>
    public bool Flush() => _runtime.Flush();

    private (double, double, double) Air()
    {
        long t = Clock.UnixSeconds;
        var ch = Sampler.Channels;
        return (_environment.Value(Channels.AirTemperature, t, ch[0]), _environment.Value(Channels.RelativeHumidity, t, ch[1]), _environment.Value(Channels.AirPressure, t, ch[2]));
    }

    public void Dispose() => _uplink.Dispose();
}
