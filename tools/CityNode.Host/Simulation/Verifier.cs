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
    private readonly Func<uint, Environment?> _environmentOf;
    private long _checked;
    private long _mismatched;

    public Verifier(Func<uint, Environment?> environmentOf)
    {
        _environmentOf = environmentOf;
    }

    public long Checked => Interlocked.Read(ref _checked);

    public long Mismatched => Interlocked.Read(ref _mismatched);

    public string? FirstMismatch { get; private set; }

    public void Check(ReceivedBatch batch)
    {
        var env = _environmentOf(batch.NodeId);
        if (env is null)
        {
            return;
        }

        var s = batch.Samples;
        for (int c = 0; c < s.ChannelCount; c++)
        {
            var spec = s.Channels[c];
            if (!env.Provides(spec.Id))
            {
                continue;
            }

            for (int i = 0; i < s.Count; i++)
            {
                int at = s.Index(c, i);
                if (s.Status[at] != ReadingStatus.Ok)
                {
                    continue;
                }

                long expected = env.Steps(spec.Id, s.Times[i], spec);
                Interlocked.Increment(ref _checked);
                if (expected != s.Values[at])
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
