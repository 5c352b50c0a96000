using System.Data.Common;
using CityNode.Host.Receiving;
using CityNode.Host.Stores;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace CityNode.Serve;

/// <summary>A node's newest values (of some channels) and its newest sample time.</summary>
public readonly record struct NodeLatest(uint Node, long Time, List<Reading> Values);

/// <summary>One aggregated point of a chart: a time bucket's mean, minimum and maximum of the valid readings.</summary>
public readonly record struct SeriesPoint(long Time, double Mean, double Min, double Max, long Count);

/// <summary>
/// What <c>serve</c> asks of the receiver's database, read-only (SQLite <c>Mode=ReadOnly</c>, PostgreSQL
/// <c>default_transaction_read_only</c>), every value a parameter. It is an <see cref="ITelemetryStore"/>
/// that refuses to store, so the fleet's battery figures run the same <c>EnergyCalibration</c> as
/// <c>energy --from</c>. Column names come from <see cref="StoreSchema"/>; the table layout is the
/// receiver's (readings indexed on (node, channel, time), batches keyed on (node, seq)) plus
/// <see cref="NodeTimeIndex"/> for the paging, and the latest tables (<see cref="StoreSchema.Latest"/>,
/// <see cref="StoreSchema.LatestNodes"/>) the receiver keeps as it stores, which the latest values and
/// the fleet's newest batches are read from.
/// </summary>
public abstract class ServeStore : ITelemetryStore
{
    /// <summary>Index on readings (node, time): a node's latest sample and its readings in time order without a scan.</summary>
    public const string NodeTimeIndex = "readings_node_time";

    public static ServeStore Open(string? sqlitePath, string? postgres)
    {
        if ((sqlitePath is null) == (postgres is null))
        {
            throw new StoreException("give --db PATH or --postgres CONNSTR (one of them)");
        }

        return postgres is not null ? new PostgresServeStore(postgres) : new SqliteServeStore(sqlitePath!);
    }

    /// <summary>Whether the database has <see cref="NodeTimeIndex"/> (made by the receiver's schema set-up).</summary>
    public abstract bool HasNodeTimeIndex();

    /// <summary>Whether the database has the latest tables (made by a receiver of this version when it opens the database).</summary>
    public abstract bool HasLatestTables();

    /// <summary>Every node's last batch (by sequence), ordered by node.</summary>
    public abstract IReadOnlyList<BatchRecord> LastBatches();

    /// <summary>
    /// Every node's (or one node's) newest reading of each channel, ordered by node and channel, read as
    /// the rows come (the all-nodes GeoJSON streams them). From <see cref="StoreSchema.Latest"/>; a database
    /// without it (an older receiver's, until a receiver of this version opens it) answers from
    /// <see cref="LatestSampleScan"/>: the readings of each node's newest sample.
    /// </summary>
    public abstract IEnumerable<Reading> Latest(uint? node = null);

    /// <summary>
    /// Every node with readings, ordered by node, with its newest sample time and its newest readings of
    /// <paramref name="channels"/> only (the map's colours): a row per node from <see cref="StoreSchema.LatestNodes"/>
    /// and only those channels' rows of <see cref="StoreSchema.Latest"/>, a third of a city's latest rows.
    /// </summary>
    public IEnumerable<NodeLatest> LatestOf(IReadOnlyCollection<int> channels)
    {
        if (!HasLatestTables())
        {
            foreach (var n in ByNode(Latest()))
            {
                yield return n with { Values = n.Values.Where(r => channels.Contains(r.ChannelId)).ToList() };
            }

            yield break;
        }

        NodeLatest? current = null;
        foreach (var (node, time, reading) in LatestOfRows(channels))
        {
            if (current is { } c && c.Node != node)
            {
                yield return c;
                current = null;
            }

            current ??= new NodeLatest(node, time, new List<Reading>());
            if (reading is { } r)
            {
                current.Value.Values.Add(r);
            }
        }

        if (current is { } last)
        {
            yield return last;
        }
    }

    /// <summary>(node, newest sample time, a reading of one of the channels or null for a node without any), ordered by node.</summary>
    protected abstract IEnumerable<(uint Node, long Time, Reading? Reading)> LatestOfRows(IReadOnlyCollection<int> channels);

    /// <summary>Consecutive readings of one node (rows ordered by node) as one <see cref="NodeLatest"/>, its time the newest of them.</summary>
    public static IEnumerable<NodeLatest> ByNode(IEnumerable<Reading> rows)
    {
        var values = new List<Reading>();
        foreach (var r in rows)
        {
            if (values.Count > 0 && values[0].Node != r.Node)
            {
                yield return new NodeLatest(values[0].Node, values.Max(v => v.Time), values);
                values = new List<Reading>();
            }

            values.Add(r);
        }

        if (values.Count > 0)
        {
            yield return new NodeLatest(values[0].Node, values.Max(v => v.Time), values);
        }
    }

    /// <summary><see cref="Latest"/> as a list.</summary>
    public IReadOnlyList<Reading> LatestReadings(uint? node = null) => Latest(node).ToList();

    /// <summary>One page of a node's readings in (time, channel) order after the cursor (exclusive), within [since, until].</summary>
    public abstract IReadOnlyList<Reading> Page(uint node, int? channel, long since, long until, long afterTime, int afterChannel, int limit);

    /// <summary>A channel's valid readings averaged in buckets of <paramref name="bucketSeconds"/> from <paramref name="since"/>.</summary>
    public abstract IReadOnlyList<SeriesPoint> Series(uint node, int channel, long since, long until, long bucketSeconds);

    /// <summary>A node's newest batches, newest first.</summary>
    public abstract IReadOnlyList<BatchRecord> RecentBatches(uint node, int limit);

    /// <summary>Readings flagged as sensor faults per channel since a time.</summary>
    public abstract IReadOnlyDictionary<int, long> Faults(uint node, long since);

    public abstract IEnumerable<Reading> Readings(uint? node = null, long? since = null, long? until = null);

    public abstract IEnumerable<BatchRecord> Batches(uint? node = null);

    public abstract (long Batches, long Readings) Count();

    public bool[] Store(IReadOnlyList<ReceivedBatch> batches) => throw new NotSupportedException("serve opens the database read-only");

    public abstract void Dispose();

    /// <summary>The batches columns in <see cref="StoreSchema.AllBatchColumns"/> order, under the names this database uses.</summary>
    protected virtual string BatchColumns(string alias) => string.Join(", ", StoreSchema.AllBatchColumns.Select(c => alias + "." + c));

    /// <summary>
    /// <c>l(node, seq)</c>: every node's newest batch, from <see cref="StoreSchema.LatestNodes"/> (a row per node), or
    /// without it from the batches primary key (node, seq) alone (an index-only pass over all batches).
    /// </summary>
    protected static string LastSeq(bool latestTables) =>
        latestTables ? $"WITH l AS (SELECT node, seq FROM {StoreSchema.LatestNodes}) " : "WITH l AS (SELECT node, max(seq) AS seq FROM batches GROUP BY node) ";

    /// <summary>The <see cref="StoreSchema.Latest"/> rows, optionally of one node (parameter <paramref name="nodeParameter"/>), in primary-key order.</summary>
    internal static string LatestRows(string? nodeParameter) =>
        $"SELECT r.node, r.seq, r.channel, r.unit, r.time, r.value, r.status FROM {StoreSchema.Latest} r" +
        (nodeParameter is null ? "" : $" WHERE r.node = {nodeParameter}") + " ORDER BY r.node, r.channel";

    /// <summary>
    /// Before the latest tables (and the serve-queries benchmark's baseline): the readings of each node's newest sample (the last sample of its newest batch): the newest
    /// batch per node in one backward pass over the batches primary key (DISTINCT ON), then one probe
    /// of readings (node, time) per node; the LIMIT (a sample has at most 64 channels, docs/payload.md)
    /// keeps the lateral subquery a per-node index probe rather than a join over all readings.
    /// </summary>
    internal static string LatestSampleScan(string where) =>
        $"WITH l AS (SELECT DISTINCT ON (node) node, seq, last_time FROM batches {where} ORDER BY node, seq DESC) " +
        "SELECT r.node, r.seq, r.channel, r.unit, r.time, r.value, r.status FROM l " +
        "CROSS JOIN LATERAL (SELECT * FROM readings x WHERE x.node = l.node AND x.time = l.last_time LIMIT 64) r";

    /// <summary>SQLite has neither DISTINCT ON nor LATERAL: a bare column beside max() comes from the max row, and its planner probes readings (node, time) per row by itself.</summary>
    protected static string SqliteLatestSample(string where) =>
        $"WITH l AS (SELECT node, max(seq) AS seq, last_time FROM batches {where} GROUP BY node) " +
        "SELECT r.node, r.seq, r.channel, r.unit, r.time, r.value, r.status FROM l JOIN readings r ON r.node = l.node AND r.time = l.last_time";
}

internal sealed class SqliteServeStore : ServeStore
{
    private readonly string _connection;

    public SqliteServeStore(string path)
    {
        if (!File.Exists(path))
        {
            throw new StoreException($"--db {path}: no such file (serve reads a database that receive or simulate --db wrote)");
        }

        _connection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString();
        try
        {
            // The arrival time is received_at_ms in receivers that name SQLite's time units, received_at before.
            var names = Query("SELECT name FROM pragma_table_info('batches')", r => r.GetString(0)).ToHashSet();
            if (names.Count == 0)
            {
                throw new SqliteException("no table batches", 1);
            }

            _receivedAt = names.Contains("received_at_ms") ? "received_at_ms" : "received_at";
        }
        catch (SqliteException e)
        {
            throw new StoreException($"--db {path}: not a CityNode receiver database ({e.Message.TrimEnd('.')})", e);
        }
    }

    private readonly string _receivedAt = "received_at";

    protected override string BatchColumns(string alias) =>
        string.Join(", ", StoreSchema.AllBatchColumns.Select(c => alias + "." + (c == "received_at" ? _receivedAt : c)));

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connection);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout=5000"; // receive may be committing
        cmd.ExecuteNonQuery();
        return c;
    }

    private IEnumerable<T> Query<T>(string sql, Func<SqliteDataReader, T> row, params (string Name, object? Value)[] args)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            yield return row(r);
        }
    }

    private static Reading ReadingRow(SqliteDataReader r) =>
        StoreSchema.ToReading((uint)r.GetInt64(0), (uint)r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), r.GetInt64(4), r.IsDBNull(5) ? null : r.GetDouble(5), (byte)r.GetInt32(6));

    private static BatchRecord BatchRow(SqliteDataReader r)
    {
        int text = StoreSchema.AllBatchColumns.Length - 1;
        return new BatchRecord((uint)r.GetInt64(0), (uint)r.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetInt64(3), r.GetInt64(4),
            r.GetInt32(5), r.GetInt32(6), StoreSchema.ReadDiagnostics(r), r.IsDBNull(text) ? null : r.GetString(text));
    }

    private const string ReadingColumns = "r.node, r.seq, r.channel, r.unit, r.time, r.value, r.status";

    public override bool HasNodeTimeIndex() =>
        Query("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = $i", r => r.GetInt64(0), ("$i", NodeTimeIndex)).Single() > 0;

    private bool _latestTables; // once there, they stay (a receiver may add them while serve runs)

    public override bool HasLatestTables() => _latestTables = _latestTables ||
        Query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $t", r => r.GetInt64(0), ("$t", StoreSchema.LatestNodes)).Single() > 0;

    public override IReadOnlyList<BatchRecord> LastBatches() => Query(
        $"{LastSeq(HasLatestTables())} SELECT {BatchColumns("b")} FROM l JOIN batches b ON b.node = l.node AND b.seq = l.seq ORDER BY b.node", BatchRow).ToList();

    protected override IEnumerable<(uint Node, long Time, Reading? Reading)> LatestOfRows(IReadOnlyCollection<int> channels) => Query(
        $"SELECT n.node, n.last_time, r.node, r.seq, r.channel, r.unit, r.time, r.value, r.status FROM {StoreSchema.LatestNodes} n " +
        $"LEFT JOIN {StoreSchema.Latest} r ON r.node = n.node AND r.channel IN ({string.Join(", ", channels.Select((_, i) => "$c" + i))}) ORDER BY n.node, r.channel",
        r => ((uint)r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? (Reading?)null : StoreSchema.ToReading((uint)r.GetInt64(2), (uint)r.GetInt64(3), r.GetInt32(4), r.GetInt32(5), r.GetInt64(6),
            r.IsDBNull(7) ? null : r.GetDouble(7), (byte)r.GetInt32(8))),
        channels.Select((c, i) => ("$c" + i, (object?)c)).ToArray());

    public override IEnumerable<Reading> Latest(uint? node = null) => Query(
        HasLatestTables() ? LatestRows(node is null ? null : "$node") : SqliteLatestSample(node is null ? "" : "WHERE node = $node") + " ORDER BY r.node, r.channel",
        ReadingRow, ("$node", node is uint x ? (long)x : null));

    public override IReadOnlyList<Reading> Page(uint node, int? channel, long since, long until, long afterTime, int afterChannel, int limit) => Query(
        $"SELECT {ReadingColumns} FROM readings r WHERE r.node = $node" + (channel is null ? "" : " AND r.channel = $channel") +
        " AND r.time >= $since AND r.time <= $until AND (r.time > $at OR (r.time = $at AND r.channel > $ach)) ORDER BY r.time, r.channel LIMIT $limit",
        ReadingRow, ("$node", (long)node), ("$channel", channel), ("$since", since), ("$until", until), ("$at", afterTime), ("$ach", afterChannel), ("$limit", limit)).ToList();

    public override IReadOnlyList<SeriesPoint> Series(uint node, int channel, long since, long until, long bucketSeconds) => Query(
        "SELECT (time - $since) / $w AS b, avg(value), min(value), max(value), count(*) FROM readings " +
        "WHERE node = $node AND channel = $channel AND time >= $since AND time <= $until AND status = 0 AND value IS NOT NULL GROUP BY b ORDER BY b",
        r => new SeriesPoint(since + (r.GetInt64(0) * bucketSeconds), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetInt64(4)),
        ("$node", (long)node), ("$channel", channel), ("$since", since), ("$until", until), ("$w", bucketSeconds)).ToList();

    public override IReadOnlyList<BatchRecord> RecentBatches(uint node, int limit) => Query(
        $"SELECT {BatchColumns("b")} FROM batches b WHERE b.node = $node ORDER BY b.seq DESC LIMIT $limit", BatchRow, ("$node", (long)node), ("$limit", limit)).ToList();

    public override IReadOnlyDictionary<int, long> Faults(uint node, long since) => Query(
        "SELECT channel, count(*) FROM readings WHERE node = $node AND time >= $since AND status = $fault GROUP BY channel",
        r => (r.GetInt32(0), r.GetInt64(1)), ("$node", (long)node), ("$since", since), ("$fault", (int)CityNode.Telemetry.ReadingStatus.Fault))
        .ToDictionary(x => x.Item1, x => x.Item2);

    public override IEnumerable<Reading> Readings(uint? node = null, long? since = null, long? until = null) => Query(
        $"SELECT {ReadingColumns} FROM readings r WHERE ($node IS NULL OR r.node = $node) AND ($since IS NULL OR r.time >= $since) AND ($until IS NULL OR r.time <= $until) ORDER BY r.node, r.time, r.channel",
        ReadingRow, ("$node", node is uint n ? (long)n : null), ("$since", since), ("$until", until));

    public override IEnumerable<BatchRecord> Batches(uint? node = null) => Query(
        $"SELECT {BatchColumns("b")} FROM batches b WHERE ($node IS NULL OR b.node = $node) ORDER BY b.node, b.seq", BatchRow, ("$node", node is uint n ? (long)n : null));

    public override (long Batches, long Readings) Count() =>
        Query("SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM readings)", r => (r.GetInt64(0), r.GetInt64(1))).Single();

    public override void Dispose()
    {
    }
}

internal sealed class PostgresServeStore : ServeStore
{
    private readonly NpgsqlDataSource _source;

    public PostgresServeStore(string connectionString)
    {
        try
        {
            _source = NpgsqlDataSource.Create(ReadOnly(connectionString));
        }
        catch (ArgumentException e)
        {
            throw new StoreException($"--postgres: {e.Message}", e);
        }

        try
        {
            Count();
        }
        catch (Exception e) when (e is NpgsqlException or PostgresException or TimeoutException)
        {
            _source.Dispose();
            throw new StoreException($"PostgreSQL: {e.Message}", e);
        }
    }

    /// <summary>The connection string with every transaction of every connection read-only: the server refuses a write whatever the SQL.</summary>
    internal static string ReadOnly(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "citynode-serve" };
        b.Options = ((b.Options ?? "") + " -c default_transaction_read_only=on").Trim();
        return b.ConnectionString;
    }

    private IEnumerable<T> Query<T>(string sql, Func<NpgsqlDataReader, T> row, params object?[] args)
    {
        using var conn = _source.OpenConnection();
        using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
        {
            cmd.Parameters.Add(a switch
            {
                DateTime t => new NpgsqlParameter { Value = t, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                null => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint },
                _ => new NpgsqlParameter { Value = a },
            });
        }

        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            yield return row(r);
        }
    }

    private static DateTime Utc(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unixSeconds, -62135596800L, 253402300799L)).UtcDateTime;

    private static long Unix(DateTime t) => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeSeconds();

    private static Reading ReadingRow(NpgsqlDataReader r) =>
        StoreSchema.ToReading((uint)r.GetInt64(0), (uint)r.GetInt64(1), r.GetInt16(2), r.GetInt16(3), Unix(r.GetFieldValue<DateTime>(4)), r.IsDBNull(5) ? null : r.GetDouble(5), (byte)r.GetInt16(6));

    private static BatchRecord BatchRow(NpgsqlDataReader r)
    {
        int text = StoreSchema.AllBatchColumns.Length - 1;
        return new BatchRecord((uint)r.GetInt64(0), (uint)r.GetInt64(1), new DateTimeOffset(r.GetFieldValue<DateTime>(2)), Unix(r.GetFieldValue<DateTime>(3)),
            Unix(r.GetFieldValue<DateTime>(4)), r.GetInt32(5), r.GetInt32(6), StoreSchema.ReadDiagnostics(r), r.IsDBNull(text) ? null : r.GetString(text));
    }

    private const string ReadingColumns = "r.node, r.seq, r.channel, r.unit, r.time, r.value, r.status";

    public override bool HasNodeTimeIndex() => Query("SELECT to_regclass($1) IS NOT NULL", r => r.GetBoolean(0), NodeTimeIndex).Single();

    private bool _latestTables; // once there, they stay (a receiver may add them while serve runs)

    public override bool HasLatestTables() => _latestTables = _latestTables || Query("SELECT to_regclass($1) IS NOT NULL", r => r.GetBoolean(0), StoreSchema.LatestNodes).Single();

    public override IReadOnlyList<BatchRecord> LastBatches() => Query(
        $"{LastSeq(HasLatestTables())} SELECT {BatchColumns("b")} FROM l JOIN batches b ON b.node = l.node AND b.seq = l.seq ORDER BY b.node", BatchRow).ToList();

    protected override IEnumerable<(uint Node, long Time, Reading? Reading)> LatestOfRows(IReadOnlyCollection<int> channels) => Query(
        $"SELECT n.node, n.last_time, r.node, r.seq, r.channel, r.unit, r.time, r.value, r.status FROM {StoreSchema.LatestNodes} n " +
        $"LEFT JOIN {StoreSchema.Latest} r ON r.node = n.node AND r.channel = ANY($1) ORDER BY n.node, r.channel",
        r => ((uint)r.GetInt64(0), Unix(r.GetFieldValue<DateTime>(1)), r.IsDBNull(2) ? (Reading?)null : StoreSchema.ToReading((uint)r.GetInt64(2), (uint)r.GetInt64(3), r.GetInt16(4), r.GetInt16(5),
            Unix(r.GetFieldValue<DateTime>(6)), r.IsDBNull(7) ? null : r.GetDouble(7), (byte)r.GetInt16(8))),
        channels.Select(c => (short)c).ToArray());

    public override IEnumerable<Reading> Latest(uint? node = null) => Query(
        HasLatestTables() ? LatestRows(node is null ? null : "$1") : LatestSampleScan(node is null ? "" : "WHERE node = $1") + " ORDER BY r.node, r.channel",
        ReadingRow, node is null ? Array.Empty<object?>() : new object?[] { (long)node.Value });

    public override IReadOnlyList<Reading> Page(uint node, int? channel, long since, long until, long afterTime, int afterChannel, int limit) => Query(
        $"SELECT {ReadingColumns} FROM readings r WHERE r.node = $1 AND r.time >= $2 AND r.time <= $3 AND (r.time > $4 OR (r.time = $4 AND r.channel > $5)) " +
        (channel is null ? "" : "AND r.channel = $7 ") + "ORDER BY r.time, r.channel LIMIT $6",
        ReadingRow, channel is null
            ? new object?[] { (long)node, Utc(since), Utc(until), Utc(afterTime), (short)afterChannel, limit }
            : new object?[] { (long)node, Utc(since), Utc(until), Utc(afterTime), (short)afterChannel, limit, (short)channel.Value }).ToList();

    public override IReadOnlyList<SeriesPoint> Series(uint node, int channel, long since, long until, long bucketSeconds) => Query(
        "SELECT (extract(epoch FROM time)::bigint - $4) / $5 AS b, avg(value), min(value), max(value), count(*) FROM readings " +
        "WHERE node = $1 AND channel = $2 AND time >= $3 AND time <= $6 AND status = 0 AND value IS NOT NULL GROUP BY b ORDER BY b",
        r => new SeriesPoint(since + (r.GetInt64(0) * bucketSeconds), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3), r.GetInt64(4)),
        (long)node, (short)channel, Utc(since), since, bucketSeconds, Utc(until)).ToList();

    public override IReadOnlyList<BatchRecord> RecentBatches(uint node, int limit) => Query(
        $"SELECT {BatchColumns("b")} FROM batches b WHERE b.node = $1 ORDER BY b.seq DESC LIMIT $2", BatchRow, (long)node, limit).ToList();

    public override IReadOnlyDictionary<int, long> Faults(uint node, long since) => Query(
        "SELECT channel, count(*) FROM readings WHERE node = $1 AND time >= $2 AND status = $3 GROUP BY channel",
        r => ((int)r.GetInt16(0), r.GetInt64(1)), (long)node, Utc(since), (short)CityNode.Telemetry.ReadingStatus.Fault)
        .ToDictionary(x => x.Item1, x => x.Item2);

    public override IEnumerable<Reading> Readings(uint? node = null, long? since = null, long? until = null) => Query(
        $"SELECT {ReadingColumns} FROM readings r WHERE ($1::bigint IS NULL OR r.node = $1) AND r.time >= $2 AND r.time <= $3 ORDER BY r.node, r.time, r.channel",
        ReadingRow, node is uint n ? (long)n : null, Utc(since ?? -62135596800L), Utc(until ?? 253402300799L));

    public override IEnumerable<BatchRecord> Batches(uint? node = null) => Query(
        $"SELECT {BatchColumns("b")} FROM batches b WHERE ($1::bigint IS NULL OR b.node = $1) ORDER BY b.node, b.seq", BatchRow, node is uint n ? (long)n : null);

    public override (long Batches, long Readings) Count() =>
        Query("SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM readings)", r => (r.GetInt64(0), r.GetInt64(1))).Single();

    public override void Dispose() => _source.Dispose();
}
