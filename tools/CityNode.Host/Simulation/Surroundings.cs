using CityNode.Host.Data;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// The air or water around one simulated node (its <see cref="RecordingKind"/> maps columns to channels): a recording replayed from a starting row, held
/// between rows and wrapped at its end. Values are given already rounded to the channel's
/// resolution, so what the node measures can be compared exactly with what was recorded.
/// </summary>
public sealed class Surroundings
{
    private readonly Recording _recording;
    private readonly long _shift;
    private readonly long _span;
    private readonly Dictionary<int, Recording.Column> _columns = new();
    private readonly Dictionary<int, Func<long, double>> _functions = new();
    private readonly Dictionary<int, long> _tolerance = new();

    public Surroundings(Recording recording, int startRow, long nodeStartUnix)
    {
        _recording = recording;
        _span = recording.Times[^1] - recording.Times[0] + 1;
        _shift = recording.Times[startRow] - nodeStartUnix;
    }

    public Recording Recording => _recording;

    /// <summary>Feeds a channel id from a column of the recording.</summary>
    public Surroundings Map(int channelId, string column)
    {
        _columns[channelId] = _recording[column];
        return this;
    }

    /// <summary>Feeds a channel from a function of time (a quantity the recording does not have).</summary>
    public Surroundings MapFunction(int channelId, Func<long, double> valueAt)
    {
        _functions[channelId] = valueAt;
        return this;
    }

    /// <summary>Accepts delivered values within ±steps of the recording (an analog probe behind a 12-bit ADC cannot do better).</summary>
    public Surroundings WithTolerance(int channelId, long steps)
    {
        _tolerance[channelId] = steps;
        return this;
    }

    public long Tolerance(int channelId) => _tolerance.GetValueOrDefault(channelId);

    public bool Provides(int channelId) => _columns.ContainsKey(channelId) || _functions.ContainsKey(channelId);

    /// <summary>The recorded value of a channel at the node's time, rounded to the resolution.</summary>
    public double Value(int channelId, long unixSeconds, ChannelSpec spec)
    {
        double raw = Raw(channelId, unixSeconds);
        double step = spec.Mantissa * Math.Pow(10, spec.Exponent);
        return Math.Round(raw / step, MidpointRounding.AwayFromZero) * step;
    }

    /// <summary>The recorded value as written (held over gaps).</summary>
    public double Raw(int channelId, long unixSeconds)
    {
        if (_functions.TryGetValue(channelId, out var f))
        {
            return f(unixSeconds);
        }

        long t0 = _recording.Times[0];
        long t = unixSeconds + _shift - t0;
        t = ((t % _span) + _span) % _span;
        int row = _recording.RowAt(t0 + t);
        return _columns[channelId].Hold(row);
    }

    /// <summary>
    /// Whether a moment is within <paramref name="seconds"/> of the jump where the recording
    /// starts over: there the simulated world changes in a step no river or street makes, and a
    /// compensated channel read a moment apart from its compensation input mixes both sides.
    /// </summary>
    public bool NearWrap(long unixSeconds, long seconds)
    {
        long t = unixSeconds + _shift - _recording.Times[0];
        long inSpan = ((t % _span) + _span) % _span;
        return inSpan < seconds || inSpan > _span - seconds;
    }

    /// <summary>Value in resolution steps, as the node should report it.</summary>
    public long Steps(int channelId, long unixSeconds, ChannelSpec spec)
    {
        double step = spec.Mantissa * Math.Pow(10, spec.Exponent);
        return (long)Math.Round(Value(channelId, unixSeconds, spec) / step, MidpointRounding.AwayFromZero);
    }
}
