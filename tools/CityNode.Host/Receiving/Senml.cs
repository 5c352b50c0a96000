using System.Text;
using System.Text.Json;
using CityNode.Telemetry;

namespace CityNode.Host.Receiving;

/// <summary>
/// SenML JSON (RFC 8428) for open data. One pack per batch with base name <c>urn:dev:citynode:ID:</c>
/// and base time; values are written exactly (decimal, never through a double). Units are SenML's
/// registered ones (RFC 8428 §12.1, RFC 8798 secondary units); conductivity (µS/cm) and dissolved
/// oxygen / TDS (mg/L) are converted to S/m and kg/m3; turbidity has no registered unit, so its
/// name carries it (<c>turbidity_ntu</c>) and no <c>u</c> is written. Readings flagged as fault or
/// invalid have no value and are left out of open data (SenML has no status field, and a custom one
/// would be an extension readers do not know); the writer counts
/// them so the export says how many it left out, and the database keeps them with their status.
/// </summary>
public static class Senml
{
    public static string ToJson(IEnumerable<ReceivedBatch> batches, bool indented = false)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartArray();
            foreach (var b in batches)
            {
                WriteRecords(w, b);
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Writes a batch's records into an open array.</summary>
    public static void WriteRecords(Utf8JsonWriter w, ReceivedBatch b) => WriteReadings(w, Reading.From(b));

    /// <summary>
    /// Writes readings into an open array: a base name and base time start each run of one node's
    /// readings (the first reading's time), later records carry the time relative to it.
    /// </summary>
    public static long WriteReadings(Utf8JsonWriter w, IEnumerable<Reading> readings) => WriteReadings(w, readings, out _);

    /// <summary>As <see cref="WriteReadings(Utf8JsonWriter, IEnumerable{Reading})"/>, counting the readings left out for having no value (fault, invalid).</summary>
    public static long WriteReadings(Utf8JsonWriter w, IEnumerable<Reading> readings, out long leftOut)
    {
        long written = 0;
        leftOut = 0;
        uint? node = null;
        long baseTime = 0;
        foreach (var r in readings)
        {
            if (r.Value is not decimal value)
            {
                leftOut++;
                continue;
            }

            var (name, unit, scaled) = Convert(r.ChannelId, r.Channel, r.Unit, value);
            w.WriteStartObject();
            if (node != r.Node)
            {
                node = r.Node;
                baseTime = r.Time;
                w.WriteString("bn", $"urn:dev:citynode:{r.Node}:");
                w.WriteNumber("bt", baseTime);
            }

            w.WriteString("n", name);
            if (unit.Length > 0)
            {
                w.WriteString("u", unit);
            }

            if (r.Time != baseTime)
            {
                w.WriteNumber("t", r.Time - baseTime);
            }

            w.WritePropertyName("v");
            w.WriteRawValue(Reading.Format(scaled));
            w.WriteEndObject();
            written++;
        }

        return written;
    }

    /// <summary>SenML name, unit and value for a channel.</summary>
    public static (string Name, string Unit, decimal Value) Convert(int channelId, string name, string unit, decimal value) => unit switch
    {
        "uS/cm" => (name, "S/m", value / 10000m),
        "mg/L" => (name, "kg/m3", value / 1000m),
        "NTU" => (name + "_ntu", "", value),
        _ => (name, unit, value),
    };
}
