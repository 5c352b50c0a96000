using CityNode.Host.Receiving;
using CityNode.Telemetry;

namespace CityNode.Host.Stores;

/// <summary>
/// The tables both stores share, in words (docs/receiver.md, "Tables"): <c>batches</c> has one row
/// per (node, seq) with when it arrived, its time span, size, and one column per diagnostics field
/// (named as in docs/payload.md, so SQL reads like the spec); <c>readings</c> has one row per
/// reading (node, channel, unit, time, value, status, seq), indexed on (node, channel, time);
/// <c>channels</c>, <c>units</c> and <c>statuses</c> name the codes, and the view <c>readings_v</c>
/// joins them so a reading reads without this code. New diagnostics fields become new nullable
/// columns when a store opens. SQLite keeps times in unix seconds except <c>received_at_ms</c>,
/// whose name says its unit; PostgreSQL uses timestamptz.
/// </summary>
public static class StoreSchema
{
    /// <summary>Runs a query of one sequence column (the receiver's acknowledgement of a node) and reads it, in both databases.</summary>
    public static IReadOnlyList<uint> StoredSequences(System.Data.Common.DbCommand query)
    {
        var list = new List<uint>();
        using var r = query.ExecuteReader();
        while (r.Read())
        {
            list.Add((uint)r.GetInt64(0));
        }

        return list;
    }

    /// <summary>Columns of <c>batches</c> before the diagnostics ones.</summary>
    public static readonly string[] BatchColumns = { "node", "seq", "received_at", "first_time", "last_time", "readings", "payload_bytes" };

    /// <summary>SQLite's name for the arrival time: unix milliseconds, where every other SQLite time is seconds.</summary>
    public const string SqliteReceivedAt = "received_at_ms";

    public static IEnumerable<string> DiagnosticColumns => Enumerable.Range(0, NodeDiagnostics.FieldCount).Select(NodeDiagnostics.FieldName);

    public const string DiagnosticTextColumn = "diag_text";

    /// <summary>All columns of <c>batches</c> in insert order (PostgreSQL's names).</summary>
    public static string[] AllBatchColumns => BatchColumns.Concat(DiagnosticColumns).Append(DiagnosticTextColumn).ToArray();

    /// <summary>All columns of SQLite's <c>batches</c> in insert order: <see cref="AllBatchColumns"/> with the arrival time named with its unit.</summary>
    public static string[] SqliteBatchColumns => AllBatchColumns.Select(c => c == "received_at" ? SqliteReceivedAt : c).ToArray();

    /// <summary>Known channel ids and names, for the <c>channels</c> table.</summary>
    public static IEnumerable<(int Id, string Name)> KnownChannels()
    {
        for (int id = 1; Channels.Name(id) != "ch" + id; id++)
        {
            yield return (id, Channels.Name(id));
        }
    }

    /// <summary>Unit codes with their symbols (Units.cs, SenML's where one exists) and what they are, for the <c>units</c> table.</summary>
    public static IEnumerable<(int Id, string Symbol, string Name)> KnownUnits()
    {
        string[] names =
        {
            "no unit", "degree Celsius", "percent relative humidity", "pascal", "microgram per cubic metre", "parts per million",
            "pH", "microsiemens per centimetre", "milligram per litre", "millivolt", "nephelometric turbidity unit", "ohm", "percent",
            "lux", "metre", "decibel-milliwatt", "count", "ratio",
        };
        for (int id = 0; id <= Units.Last; id++)
        {
            yield return (id, Units.Symbol(id), id < names.Length ? names[id] : Units.Symbol(id));
        }
    }

    /// <summary>Reading statuses (ReadingStatus.cs) with what they mean, for the <c>statuses</c> table.</summary>
    public static IEnumerable<(int Id, string Name, string Meaning)> KnownStatuses() => new[]
    {
        (ReadingStatus.Ok, "a measured value"),
        (ReadingStatus.Missing, "not measured in this sample (not stored)"),
        (ReadingStatus.Fault, "the sensor failed (no answer, CRC error, timeout, stale value): no value"),
        (ReadingStatus.Invalid, "the value was NaN, infinite or outside what the channel carries: no value"),
    }.Select(s => ((int)s.Item1, ReadingStatus.Name(s.Item1), s.Item2));

    /// <summary>
    /// The lookup rows as SQL both dialects take (<c>verb</c>: "INSERT OR REPLACE" for SQLite; PostgreSQL
    /// appends its upsert through <paramref name="upsert"/>). Names come from this build, so a newer
    /// receiver refreshes them.
    /// </summary>
    public static string LookupRows(string verb, Func<string, string> upsert) =>
        string.Concat(KnownChannels().Select(c => $"{verb} INTO channels (id, name) VALUES ({c.Id}, {Quote(c.Name)}){upsert("name = EXCLUDED.name")};")) +
        string.Concat(KnownUnits().Select(u => $"{verb} INTO units (id, symbol, name) VALUES ({u.Id}, {Quote(u.Symbol)}, {Quote(u.Name)}){upsert("symbol = EXCLUDED.symbol, name = EXCLUDED.name")};")) +
        string.Concat(KnownStatuses().Select(s => $"{verb} INTO statuses (id, name, meaning) VALUES ({s.Id}, {Quote(s.Name)}, {Quote(s.Meaning)}){upsert("name = EXCLUDED.name, meaning = EXCLUDED.meaning")};"));

    /// <summary>
    /// <c>readings_v</c>: readings with names and units, so <c>SELECT * FROM readings_v LIMIT 5</c> reads
    /// like a table a person understands. <paramref name="time"/> turns the stored time into a readable one;
    /// codes this build does not know show as Channels/Units/ReadingStatus name them ("ch200", "unit#40").
    /// </summary>
    public static string ReadingsView(string time) =>
        $"SELECT r.node, {time} AS time, COALESCE(c.name, 'ch' || r.channel) AS channel, r.value, " +
        $"COALESCE(u.symbol, 'unit#' || r.unit) AS unit, COALESCE(s.name, 'status#' || r.status) AS status, r.seq " +
        "FROM readings r LEFT JOIN channels c ON c.id = r.channel LEFT JOIN units u ON u.id = r.unit LEFT JOIN statuses s ON s.id = r.status";

    private static string Quote(string text) => "'" + text.Replace("'", "''") + "'";

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

    /// <summary>
    /// <c>latest</c>: per (node, channel) the newest stored reading (unit, time, value, status, seq), so the
    /// latest values are one primary-key range (a row per channel) instead of a search through readings.
    /// The stores keep it in the transaction of each batch insert; newest means the greatest (time, seq),
    /// so a late old batch never overwrites a newer value (<see cref="LatestUpsert"/>).
    /// </summary>
    public const string Latest = "latest";

    /// <summary><c>latest_nodes</c>: per node the newest batch (greatest seq), the newest sample time and the last arrival, each only moving forward.</summary>
    public const string LatestNodes = "latest_nodes";

    /// <summary>
    /// The upsert of one <see cref="Latest"/> row from <paramref name="source"/> (VALUES or a SELECT of the
    /// readings columns): the stored row changes only for a greater (time, seq), the row order both
    /// dialects compare alike.
    /// </summary>
    public static string LatestUpsert(string source) =>
        $"INSERT INTO {Latest} (node, channel, unit, time, value, status, seq) {source} ON CONFLICT (node, channel) DO UPDATE SET " +
        "unit = excluded.unit, time = excluded.time, value = excluded.value, status = excluded.status, seq = excluded.seq " +
        $"WHERE (excluded.time, excluded.seq) > ({Latest}.time, {Latest}.seq)";

    /// <summary>The upsert of one <see cref="LatestNodes"/> row: each column keeps the greater of the two (<paramref name="greatest"/>: SQLite's max, PostgreSQL's GREATEST).</summary>
    public static string LatestNodeUpsert(string source, string receivedAt, string greatest) =>
        $"INSERT INTO {LatestNodes} (node, seq, last_time, {receivedAt}) {source} ON CONFLICT (node) DO UPDATE SET " +
        $"seq = {greatest}({LatestNodes}.seq, excluded.seq), last_time = {greatest}({LatestNodes}.last_time, excluded.last_time), " +
        $"{receivedAt} = {greatest}({LatestNodes}.{receivedAt}, excluded.{receivedAt})";

    /// <summary>
    /// The one-time fill of <see cref="Latest"/> and <see cref="LatestNodes"/> when a database from before
    /// them is opened: computed from readings and batches, which it only reads (the same newest-(time, seq) rule).
    /// </summary>
    public static string LatestBackfill(string receivedAt) =>
        $"INSERT INTO {Latest} (node, channel, unit, time, value, status, seq) SELECT node, channel, unit, time, value, status, seq FROM " +
        "(SELECT node, channel, unit, time, value, status, seq, row_number() OVER (PARTITION BY node, channel ORDER BY time DESC, seq DESC) AS k FROM readings) n WHERE k = 1;" +
        $"INSERT INTO {LatestNodes} (node, seq, last_time, {receivedAt}) SELECT node, max(seq), max(last_time), max({receivedAt}) FROM batches GROUP BY node;";

    /// <summary>Per (node, channel) the newest reading of the batches (greatest time, then seq), ordered by node and channel (the order the upserts lock rows in).</summary>
    public static List<ReadingRow> LatestRows(IEnumerable<ReceivedBatch> batches)
    {
        var newest = new Dictionary<(uint, int), ReadingRow>();
        foreach (var b in batches)
        {
            foreach (var row in ReadingRows(b))
            {
                if (!newest.TryGetValue((row.Node, row.Channel), out var had) || row.Time > had.Time || (row.Time == had.Time && row.Seq > had.Seq))
                {
                    newest[(row.Node, row.Channel)] = row;
                }
            }
        }

        return newest.Values.OrderBy(r => r.Node).ThenBy(r => r.Channel).ToList();
    }

    /// <summary>One <see cref="LatestNodes"/> row: the greatest seq, last sample time and arrival (unix ms) of a node's batches.</summary>
    public readonly record struct NodeRow(uint Node, uint Seq, long LastTime, long ReceivedAtMs);

    /// <summary>Per node the greatest seq, last sample time and arrival of the batches, ordered by node.</summary>
    public static List<NodeRow> LatestNodeRows(IEnumerable<ReceivedBatch> batches) =>
        batches.GroupBy(b => b.NodeId).OrderBy(g => g.Key)
            .Select(g => new NodeRow(g.Key, g.Max(b => b.Sequence), g.Max(LastTime), g.Max(b => b.ReceivedAt.ToUnixTimeMilliseconds()))).ToList();

    public static long FirstTime(ReceivedBatch b) => b.Samples.Count > 0 ? b.Samples.Times[0] : 0;

    public static long LastTime(ReceivedBatch b) => b.Samples.Count > 0 ? b.Samples.Times[b.Samples.Count - 1] : 0;
}
