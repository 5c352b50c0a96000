using CityNode.Host.Data;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// The air or water around one simulated node: a recording replayed from a starting row, held
/// between rows and wrapped at its end. Values are given already rounded to the channel's
/// resolution, so what the node measures can be compared exactly with what was recorded.
/// </summary>
public sealed class Environment
{
    private readonly Recording _recording;
    private readonly long _shift;
    private readonly long _span;
    private readonly Dictionary<int, Recording.Column> _columns = new();
    private readonly Dictionary<int, Func<long, double>> _functions = new();
    private readonly Dictionary<int, long> _tolerance = new();

    public Environment(Recording recording, int startRow, long nodeStartUnix)
    {
        _recording = recording;
        _span = recording.Times[^1] - recording.Times[0] + 1;
        _shift = recording.Times[startRow] - nodeStartUnix;
    }

    /// <summary>The Sensor.Community air recording's columns as the air node's channels.</summary>
    public static Environment Air(Recording r, int startRow, long nodeStartUnix) =>
        new Environment(r, startRow, nodeStartUnix)
            .Map(Channels.AirTemperature, "temperature_c")
            .Map(Channels.RelativeHumidity, "humidity_pct")
            .Map(Channels.AirPressure, "pressure_pa")
            .Map(Channels.Pm25, "pm25_ugm3")
            .Map(Channels.Pm10, "pm10_ugm3");

    /// <summary>The UCI occupancy recording's CO2.</summary>
    public static Environment Co2(Recording r, int startRow, long nodeStartUnix) => new Environment(r, startRow, nodeStartUnix).Map(Channels.Co2, "CO2");

    /// <summary>The USGS water recording's columns as the water node's channels.</summary>
    public static Environment Water(Recording r, int startRow, long nodeStartUnix) =>
        new Environment(r, startRow, nodeStartUnix)
            .Map(Channels.WaterTemperature, "water_temp_c")
            .Map(Channels.Ph, "ph")
            .Map(Channels.Conductivity, "spec_cond_uscm_25c")
            .Map(Channels.DissolvedOxygen, "dissolved_oxygen_mgl")
            .Map(Channels.Turbidity, "turbidity_fnu");

    public Recording Recording => _recording;

    /// <summary>Feeds a channel id from a column of the recording.</summary>
    public Environment Map(int channelId, string column)
    {
        _columns[channelId] = _recording[column];
        return this;
    }

    /// <summary>Feeds a channel from a function of time (a quantity the recording does not have).</summary>
    public Environment MapFunction(int channelId, Func<long, double> valueAt)
    {
        _functions[channelId] = valueAt;
        return this;
    }

    /// <summary>Accepts delivered values within ±steps of the recording (an analog probe behind a 12-bit ADC cannot do better).</summary>
    public Environment WithTolerance(int channelId, long steps)
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
