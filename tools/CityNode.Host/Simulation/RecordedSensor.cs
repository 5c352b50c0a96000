using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// A sensor that reports recorded values directly, channel by channel, for figures about storage
/// and energy where the sensor protocol is not the subject (the drivers are exercised against
/// their simulated chips elsewhere).
/// </summary>
public sealed class RecordedSensor : ISensor
{
    private readonly (Surroundings Env, int ChannelId)[] _sources;
    private readonly ChannelSpec[] _channels;
    private readonly Func<long> _now;
    private readonly long[] _values;
    private bool _valid;

    public RecordedSensor(Func<long> now, params (Surroundings Env, ChannelSpec Spec)[] channels)
    {
        _now = now;
        _sources = channels.Select(c => (c.Env, c.Spec.Id)).ToArray();
        _channels = channels.Select(c => c.Spec).ToArray();
        _values = new long[channels.Length];
    }

    public string Name => "recorded";

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
        long t = _now();
        for (int c = 0; c < _channels.Length; c++)
        {
            _values[c] = (long)Math.Round(_sources[c].Env.Value(_sources[c].ChannelId, t, _channels[c]) * 1e6);
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
}
