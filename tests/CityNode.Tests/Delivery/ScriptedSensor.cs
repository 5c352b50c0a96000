using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Tests.Delivery;

/// <summary>
/// A test sensor with any number of channels whose values are a function of time (the reference
/// workload of the store-and-forward tests). Real drivers are tested against simulated chips in
/// their own folders; this one isolates delivery from sensing.
/// </summary>
public sealed class ScriptedSensor : ISensor
{
    private readonly ChannelSpec[] _channels;
    private readonly Func<long, int, long> _micro;
    private readonly Func<long> _now;
    private readonly long[] _values;
    private bool _valid;

    public ScriptedSensor(int channels, Func<long> now, Func<long, int, long> micro)
    {
        _channels = Enumerable.Range(0, channels).Select(c => new ChannelSpec(Channels.FirstCustom + c, Units.None, 1, -2)).ToArray();
        _values = new long[channels];
        _now = now;
        _micro = micro;
    }

    public string Name => "scripted";

    /// <summary>Added to every value (micro-units), to make a channel jump.</summary>
    public long Offset { get; set; }

    /// <summary>Gives a channel a well-known id (early-publish thresholds refer to channel names).</summary>
    public void Spec(int channel, int id) => _channels[channel].Set(id, Channels.CanonicalUnit(id), 1, -2);

    public int ChannelCount => _channels.Length;

    public int WarmupMs => 0;

    public int Stage => 0;

    public ChannelSpec Channel(int index) => _channels[index];

    public FetchResult Setup() => FetchResult.Ok;

    public void Wake()
    {
    }

    public FetchResult Trigger(SampleFrame frame, out int waitMs)
    {
        for (int c = 0; c < _values.Length; c++)
        {
            _values[c] = _micro(_now(), c) + Offset;
        }

        _valid = true;
        waitMs = 0;
        return FetchResult.Ok;
    }

    public FetchResult Fetch() => _valid ? FetchResult.Ok : FetchResult.NotReady;

    public bool TryGet(int channel, out long micro)
    {
        micro = _values[channel];
        return _valid;
    }

    public void Sleep() => _valid = false;

    public void Reset()
    {
    }

    /// <summary>The expected value in 0.01 steps at a time (what the receiver must get).</summary>
    public long Steps(long unixSeconds, int channel) => (long)Math.Round((_micro(unixSeconds, channel) + Offset) / 10_000.0, MidpointRounding.AwayFromZero);
}
