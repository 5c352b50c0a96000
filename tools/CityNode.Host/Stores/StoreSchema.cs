using CityNode.Host.Receiving;
using CityNode.Telemetry;

namespace CityNode.Host.Stores;

/// <summary>
/// The tables both stores share, in words: <c>batches</c> has one row per (node, seq) with when it
/// arrived, its time span, size, and one column per diagnostics field (named as in
/// docs/payload.md, so SQL reads like the spec); <c>readings</c> has one row per reading (node,
/// channel, unit, time, value, status, seq), indexed on (node, channel, time); <c>channels</c>
/// names the channel ids. New diagnostics fields become new nullable columns when a store opens.
/// </summary>
public static class StoreSchema
{
    /// <summary>Columns of <c>batches</c> before the diagnostics ones.</summary>
    public static readonly string[] BatchColumns = { "node", "seq", "received_at", "first_time", "last_time", "readings", "payload_bytes" };

    public static IEnumerable<string> DiagnosticColumns => Enumerable.Range(0, NodeDiagnostics.FieldCount).Select(NodeDiagnostics.FieldName);

    public const string DiagnosticTextColumn = "diag_text";

    /// <summary>Readings by (node, time): a node's latest sample and its readings in time order, for <c>serve</c> (which opens the database read-only, so the receiver creates it).</summary>
    public const string NodeTimeIndex = "CREATE INDEX IF NOT EXISTS " + NodeTimeIndexName + " ON readings (node, time);";

    public const string NodeTimeIndexName = "readings_node_time";

    /// <summary>All columns of <c>batches</c> in insert order.</summary>
    public static string[] AllBatchColumns => BatchColumns.Concat(DiagnosticColumns).Append(DiagnosticTextColumn).ToArray();

    /// <summary>Known channel ids and names, for the <c>channels</c> table.</summary>
    public static IEnumerable<(int Id, string Name)> KnownChannels()
    {
        for (int id = 1; Channels.Name(id) != "ch" + id; id++)
        {
            yield return (id, Channels.Name(id));
        }
    }

    /// <summary>One reading row: value is null for faulty or invalid readings.</summary>
    public readonly record struct ReadingRow(uint Node, int Channel, int Unit, long Time, double? Value, byte Status, uint Seq);

    public static IEnumerable<ReadingRow> ReadingRows(ReceivedBatch b)
    {
        var s = b.Samples;
        for (int c = 0; c < s.ChannelCount; c++)
        {
            var spec = s.Channels[c];
            for (int i = 0; i < s.Count; i++)
            {
                int at = s.Index(c, i);
                byte st = s.Status[at];
                if (st == ReadingStatus.Missing)
                {
                    continue;
                }

                double? v = st == ReadingStatus.Ok ? (double)Reading.Scale(s.Values[at], spec.Mantissa, spec.Exponent) : null;
                yield return new ReadingRow(b.NodeId, spec.Id, spec.Unit, s.Times[i], v, st, b.Sequence);
            }
        }
    }

    /// <summary>A stored reading back as the receiver's <see cref="Reading"/>. Values were stored as doubles at
    /// the channel's resolution (at most 15 significant digits), so the decimal conversion restores them exactly.</summary>
    public static Reading ToReading(uint node, uint seq, int channel, int unit, long time, double? value, byte status) =>
        new(node, seq, channel, Channels.Name(channel), Units.Symbol(unit), time, value is double d ? (decimal)d : null, status);

    /// <summary>Diagnostics of a batch in <see cref="DiagnosticColumns"/> order (null where absent).</summary>
    public static long?[] DiagnosticValues(ReceivedBatch b)
    {
        var v = new long?[NodeDiagnostics.FieldCount];
        for (int f = 0; f < v.Length; f++)
        {
            v[f] = b.Diagnostic(NodeDiagnostics.FieldName(f));
        }

        return v;
    }

    /// <summary>The diagnostics columns of a <c>batches</c> row read with <see cref="AllBatchColumns"/> (absent ones left out).</summary>
    public static Dictionary<string, long> ReadDiagnostics(System.Data.Common.DbDataReader r)
    {
        var cols = AllBatchColumns;
        var diag = new Dictionary<string, long>();
        for (int c = BatchColumns.Length; c < cols.Length - 1; c++)
        {
            if (!r.IsDBNull(c))
            {
                diag[cols[c]] = r.GetInt64(c);
            }
        }

        return diag;
    }

    public static long FirstTime(ReceivedBatch b) => b.Samples.Count > 0 ? b.Samples.Times[0] : 0;

    public static long LastTime(ReceivedBatch b) => b.Samples.Count > 0 ? b.Samples.Times[b.Samples.Count - 1] : 0;
}
