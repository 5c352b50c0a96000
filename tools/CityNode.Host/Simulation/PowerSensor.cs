using CityNode.Drivers.Registry;
using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// A stand-in for a configured sensor in energy figures: its channels, its warm-up and how long a
/// reading keeps the node waiting (from <see cref="SensorPower"/>), values that drift slowly.
/// </summary>
public sealed class PowerSensor : ISensor
{
    private readonly IClock _clock;
    private readonly ChannelSpec[] _channels;
    private readonly int _warmupMs;
    private readonly int _conversionMs;
    private long _n;

    public PowerSensor(string name, int channels, IClock clock)
    {
        Name = name;
        _clock = clock;
        _channels = Enumerable.Range(0, channels).Select(c => new ChannelSpec(Channels.FirstCustom + c, Units.None, 1, -2)).ToArray();
        int on = SensorPower.OnMilliseconds(name);
        _warmupMs = name switch { "pms5003" => 30000, "sds011" => 15000, _ => 0 };
        _conversionMs = on - _warmupMs;
    }

    public string Name { get; }

    public int ChannelCount => _channels.Length;

    public int WarmupMs => _warmupMs;

    public int Stage => 0;

    public ChannelSpec Channel(int index) => _channels[index];

    public FetchResult Setup() => FetchResult.Ok;

    public void Wake()
    {
    }

    public FetchResult Trigger(SampleFrame frame, out int waitMs)
    {
        waitMs = _conversionMs;
        return FetchResult.Ok;
    }

    public FetchResult Fetch()
    {
        _n++;
        return FetchResult.Ok;
    }

    public bool TryGet(int channel, out long micro)
    {
        micro = ((_n / 7) + channel) * 10_000;
        return true;
    }

    public void Sleep()
    {
    }

    public void Reset()
    {
    }
}
