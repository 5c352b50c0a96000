using CityNode.Drivers.Registry;
using CityNode.Host.Receiving;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// Checks every delivered value against the recording the node was fed, at the channel's
/// resolution: the end-to-end proof that sensor simulation, driver, ring, codec, MQTT and
/// decoder preserve the data.
/// </summary>
public sealed class Verifier
{
    private readonly Func<uint, World?> _worldOf;
    private long _checked;
    private long _mismatched;

    public Verifier(Func<uint, World?> worldOf)
    {
        _worldOf = worldOf;
    }

    /// <summary>
    /// For each channel, the channels its drivers compensate it with in the same sample (each
    /// sensor's descriptor, <see cref="SensorDescriptor.CompensatedBy"/>; a channel two sensors
    /// report takes both's inputs).
    /// </summary>
    private static readonly Dictionary<int, int[]> CompensatedBy = SensorCatalog.All
        .SelectMany(d => Enumerable.Range(0, d.ChannelCount).SelectMany(c => d.CompensatedBy.Select(input => (Channel: d.Channel(c).Id, Input: input))))
        .GroupBy(x => x.Channel)
        .ToDictionary(g => g.Key, g => g.Select(x => x.Input).Distinct().ToArray());

    /// <summary>
    /// Relative band for a compensated reading whose input stepped while the sensors were read:
    /// the replayed world changes in steps between recording rows, and the input is read a moment
    /// apart from the quantity (a real river does not jump). The largest step between two rows of
    /// the USGS recording is 0.9 °C; EC, DO and pH compensation move about 2 %/°C, so a mixed
    /// reading can be off by 1.8 %: the band is 2.5 %.
    /// </summary>
    public const double CompensationBand = 0.025;

    /// <summary>
    /// Readings not value-checked because a compensation input failed in the same sample: the driver
    /// then compensates with its default (25 °C, sea-level pressure), which the recording cannot tell.
    /// </summary>
    public long Uncompensated => Interlocked.Read(ref _uncompensated);

    private long _uncompensated;

    /// <summary>Readings not checked because they were taken within 2 minutes of the point where the recording starts over.</summary>
    public long NearWrap => Interlocked.Read(ref _nearWrap);

    private long _nearWrap;

    /// <summary>Readings checked within <see cref="CompensationBand"/> rather than exactly.</summary>
    public long CheckedWithinBand => Interlocked.Read(ref _banded);

    private long _banded;

    /// <summary>Seconds after a sample's timestamp during which its sensors may be read.</summary>
    public const int SampleWindowSeconds = 15;

    public long Checked => Interlocked.Read(ref _checked);

    public long Mismatched => Interlocked.Read(ref _mismatched);

    public string? FirstMismatch { get; private set; }

    public void Check(ReceivedBatch batch)
    {
        var world = _worldOf(batch.NodeId);
        if (world is null)
        {
            return;
        }

        var s = batch.Samples;
        for (int c = 0; c < s.ChannelCount; c++)
        {
            var spec = s.Channels[c];
            var env = world.For(spec.Id);
            if (env is null)
            {
                continue;
            }

            long tolerance = env.Tolerance(spec.Id);

            for (int i = 0; i < s.Count; i++)
            {
                int at = s.Index(c, i);
                if (s.Status[at] != ReadingStatus.Ok)
                {
                    continue;
                }

                if (env.NearWrap(s.Times[i], 120))
                {
                    Interlocked.Increment(ref _nearWrap);
                    continue;
                }

                // A sample's sensors are read during a short window after its timestamp (conversion
                // times, an SCD41 single shot, EZO processing delays): the value must be what the
                // recording held at some moment of that window.
                long lo = long.MaxValue;
                long hi = long.MinValue;
                for (long t = s.Times[i]; t <= s.Times[i] + SampleWindowSeconds; t++)
                {
                    long v = env.Steps(spec.Id, t, spec);
                    lo = Math.Min(lo, v);
                    hi = Math.Max(hi, v);
                }

                long expected = env.Steps(spec.Id, s.Times[i], spec);
                Interlocked.Increment(ref _checked);
                long allowed = tolerance;
                if (InputFailed(s, spec.Id, i))
                {
                    Interlocked.Decrement(ref _checked);
                    Interlocked.Increment(ref _uncompensated);
                    continue;
                }

                if (CompensationUncertain(world, s, spec.Id, i))
                {
                    allowed = Math.Max(tolerance, (long)Math.Ceiling(Math.Abs(expected) * CompensationBand));
                    Interlocked.Increment(ref _banded);
                }

                if (s.Values[at] < lo - allowed || s.Values[at] > hi + allowed)
                {
                    if (Interlocked.Increment(ref _mismatched) == 1)
                    {
                        FirstMismatch = $"node {batch.NodeId} {Channels.Name(spec.Id)} at {DateTimeOffset.FromUnixTimeSeconds(s.Times[i]):u}: delivered {s.Values[at]}, recorded {expected} (steps of {spec.Mantissa}e{spec.Exponent})";
                    }
                }
            }
        }
    }

    private static bool InputFailed(CityNode.Telemetry.SampleBatch s, int channel, int sample)
    {
        if (!CompensatedBy.TryGetValue(channel, out var inputs))
        {
            return false;
        }

        foreach (int input in inputs)
        {
            int c = Array.FindIndex(s.Channels, 0, s.ChannelCount, spec => spec.Id == input);
            if (c >= 0 && s.Status[s.Index(c, sample)] != ReadingStatus.Ok)
            {
                return true;
            }
        }

        return false;
    }

    private static bool CompensationUncertain(World world, CityNode.Telemetry.SampleBatch s, int channel, int sample)
    {
        if (!CompensatedBy.TryGetValue(channel, out var inputs))
        {
            return false;
        }

        long t = s.Times[sample];
        foreach (int input in inputs)
        {
            var env = world.For(input);
            if (env is not null && env.Raw(input, t - 2) != env.Raw(input, t + SampleWindowSeconds))
            {
                return true;
            }
        }

        return false;
    }
}
