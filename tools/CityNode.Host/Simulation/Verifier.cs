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
                if (s.Values[at] < lo - tolerance || s.Values[at] > hi + tolerance)
                {
                    if (Interlocked.Increment(ref _mismatched) == 1)
                    {
                        FirstMismatch = $"node {batch.NodeId} {Channels.Name(spec.Id)} at {DateTimeOffset.FromUnixTimeSeconds(s.Times[i]):u}: delivered {s.Values[at]}, recorded {expected} (steps of {spec.Mantissa}e{spec.Exponent})";
                    }
                }
            }
        }
    }
}
