using System.Globalization;
using CityNode.Telemetry;

namespace CityNode.Host.Receiving;

/// <summary>One decoded reading: node, channel, unit, time, value, status.</summary>
public readonly record struct Reading(uint Node, uint Sequence, int ChannelId, string Channel, string Unit, long Time, decimal? Value, byte Status)
{
    public string StatusName => ReadingStatus.Name(Status);

    /// <summary>The exact value of <paramref name="steps"/> × mantissa × 10^exponent.</summary>
    public static decimal Scale(long steps, int mantissa, int exponent)
    {
        decimal v = steps * (decimal)mantissa;
        decimal p = 1m;
        for (int i = 0; i < Math.Abs(exponent); i++)
        {
            p *= 10m;
        }

        return exponent >= 0 ? v * p : v / p;
    }

    /// <summary>Invariant text of a decimal without trailing zeros ("21.50" → "21.5").</summary>
    public static string Format(decimal v)
    {
        string s = v.ToString(CultureInfo.InvariantCulture);
        if (s.Contains('.'))
        {
            s = s.TrimEnd('0').TrimEnd('.');
        }

        return s == "-0" ? "0" : s;
    }

    /// <summary>All readings of a batch, channel by channel (missing slots skipped).</summary>
    public static IEnumerable<Reading> From(ReceivedBatch b)
    {
        var s = b.Samples;
        for (int c = 0; c < s.ChannelCount; c++)
        {
            var spec = s.Channels[c];
            string name = Channels.Name(spec.Id);
            string unit = Units.Symbol(spec.Unit);
            for (int i = 0; i < s.Count; i++)
            {
                int at = s.Index(c, i);
                byte st = s.Status[at];
                if (st == ReadingStatus.Missing)
                {
                    continue;
                }

                yield return new Reading(b.NodeId, b.Sequence, spec.Id, name, unit, s.Times[i], st == ReadingStatus.Ok ? Scale(s.Values[at], spec.Mantissa, spec.Exponent) : null, st);
            }
        }
    }
}
