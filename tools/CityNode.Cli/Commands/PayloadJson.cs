using System.Globalization;
using System.Numerics;
using System.Text;
using CityNode.Telemetry;

namespace CityNode.Cli.Commands;

/// <summary>
/// The decoded-JSON form of a payload that <c>citynode decode --json</c> and the reference decoders in
/// tools/decoders print, character for character (docs/payload.md, Decoded JSON): written by hand so
/// that key order, number text and escaping are the spec's, not a serializer's.
/// </summary>
public static class PayloadJson
{
    private static readonly string[] PredictorNames = { "previous", "linear", "damped" };

    /// <summary>One line: the decoded batch, or <c>{"error":{...}}</c> for a refused payload.</summary>
    public static string Decode(byte[] payload) => TryDecode(payload, out string json, out _) ? json : json;

    /// <summary>False with the error JSON and the exception when the payload is refused.</summary>
    public static bool TryDecode(byte[] payload, out string json, out PayloadException? error)
    {
        var decoder = new BatchDecoder();
        SampleBatch batch;
        try
        {
            batch = decoder.DecodeNew(payload, 0, payload.Length);
        }
        catch (PayloadException e)
        {
            error = e;
            json = Error(e);
            return false;
        }

        error = null;
        json = Write(decoder, batch);
        return true;
    }

    public static string Error(PayloadException e) => "{\"error\":{\"offset\":" + e.Offset.ToString(CultureInfo.InvariantCulture) + ",\"reason\":" + Str(e.Reason) + "}}";

    private static string Write(BatchDecoder decoder, SampleBatch b)
    {
        BatchHeader h = decoder.Header;
        var s = new StringBuilder(64 + (b.Count * (12 + (b.ChannelCount * 10))));
        s.Append("{\"version\":").Append(h.Version)
            .Append(",\"node_id\":").Append(h.NodeId)
            .Append(",\"sequence\":").Append(h.Sequence)
            .Append(",\"base_time\":").Append(h.BaseTime)
            .Append(",\"interval\":").Append(h.Interval)
            .Append(",\"time_mode\":").Append(h.Regular ? "\"regular\"" : h.GridTimes ? "\"grid\"" : "\"step\"")
            .Append(",\"skip_hint\":").Append(h.SkipHint)
            .Append(",\"jitter_hint\":").Append(h.JitterHint)
            .Append(",\"times\":[");
        for (int i = 0; i < b.Count; i++)
        {
            s.Append(i == 0 ? "" : ",").Append(b.Times[i]);
        }

        s.Append("],\"channels\":[");
        for (int c = 0; c < b.ChannelCount; c++)
        {
            ChannelSpec spec = b.Channels[c];
            s.Append(c == 0 ? "{" : ",{")
                .Append("\"id\":").Append(spec.Id)
                .Append(",\"name\":").Append(Str(Channels.Name(spec.Id)))
                .Append(",\"unit\":").Append(spec.Unit <= Units.Last ? Str(Units.Symbol(spec.Unit)) : "null")
                .Append(",\"unit_code\":").Append(spec.Unit)
                .Append(",\"resolution\":").Append(Number(spec.Mantissa, spec.Exponent))
                .Append(",\"predictor\":").Append(Str(PredictorNames[h.Predictors[c]]))
                .Append(",\"hint\":").Append(h.Hints[c])
                .Append(",\"values\":[");
            for (int i = 0; i < b.Count; i++)
            {
                int at = b.Index(c, i);
                s.Append(i == 0 ? "" : ",").Append(b.Status[at] == ReadingStatus.Ok ? Number((long)b.Values[at] * spec.Mantissa, spec.Exponent) : "null");
            }

            s.Append("],\"status\":[");
            for (int i = 0; i < b.Count; i++)
            {
                s.Append(i == 0 ? "\"" : ",\"").Append(ReadingStatus.Name(b.Status[b.Index(c, i)])).Append('"');
            }

            s.Append("]}");
        }

        s.Append("],\"diagnostics\":{");
        bool first = true;
        for (int f = 0; f < NodeDiagnostics.FieldCount; f++)
        {
            if (decoder.Diagnostics.Has(f))
            {
                s.Append(first ? "\"" : ",\"").Append(NodeDiagnostics.FieldName(f)).Append("\":").Append(decoder.Diagnostics.Get(f));
                first = false;
            }
        }

        string? text = decoder.Diagnostics.Text;
        s.Append("},\"diagnostics_text\":").Append(text is null ? "null" : Str(text)).Append('}');
        return s.ToString();
    }

    /// <summary>s × 10^exponent as exact decimal text: no exponent notation, no trailing fractional zeros.</summary>
    public static string Number(long s, int exponent)
    {
        if (s == 0)
        {
            return "0";
        }

        string digits = BigInteger.Abs(s).ToString(CultureInfo.InvariantCulture);
        string sign = s < 0 ? "-" : "";
        if (exponent >= 0)
        {
            return sign + digits + new string('0', exponent);
        }

        int point = -exponent;
        digits = digits.PadLeft(point + 1, '0');
        string whole = digits[..^point];
        string fraction = digits[^point..].TrimEnd('0');
        return sign + whole + (fraction.Length > 0 ? "." + fraction : "");
    }

    private static string Str(string v) => "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
