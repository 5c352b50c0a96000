using CityNode.Host.Receiving;
using Microsoft.Data.Sqlite;

namespace CityNode.Host.Stores;

/// <summary>
/// The embedded default receiver database (Microsoft.Data.Sqlite). WAL lets <c>export</c> read
/// while <c>receive</c> writes; synchronous=FULL because a batch is acknowledged to the broker
/// once committed, so a commit must survive power loss (NORMAL may lose the last transactions).
/// </summary>
public sealed class SqliteStore : ITelemetryStore
{
    private readonly SqliteConnection _db;
    private readonly SqliteCommand _insertBatch;
    private readonly SqliteCommand _insertReading;
    private readonly SqliteCommand _upsertLatest;
    private readonly SqliteCommand _upsertNode;

    public SqliteStore(string path)
    {
        Path = path;
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            _db.Open();
            Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
            CreateSchema();
        }
        catch (SqliteException e)
        {
            _db.Dispose();
            throw new StoreException($"{path}: not a usable SQLite database ({e.Message.TrimEnd('.')})", e);
        }

        var cols = StoreSchema.SqliteBatchColumns;
        _insertBatch = _db.CreateCommand();
        _insertBatch.CommandText = $"INSERT OR IGNORE INTO batches ({string.Join(", ", cols)}) VALUES ({string.Join(", ", cols.Select((_, i) => "$p" + i))})";
        for (int i = 0; i < cols.Length; i++)
        {
            _insertBatch.Parameters.Add(new SqliteParameter("$p" + i, null));
        }

        _insertReading = _db.CreateCommand();
        _insertReading.CommandText = "INSERT INTO readings (node, channel, unit, time, value, status, seq) VALUES ($n, $c, $u, $t, $v, $s, $q)";
        foreach (var p in new[] { "$n", "$c", "$u", "$t", "$v", "$s", "$q" })
        {
            _insertReading.Parameters.Add(new SqliteParameter(p, null));
        }

        _upsertLatest = _db.CreateCommand();
        _upsertLatest.CommandText = StoreSchema.LatestUpsert("VALUES ($n, $c, $u, $t, $v, $s, $q)");
        foreach (var p in new[] { "$n", "$c", "$u", "$t", "$v", "$s", "$q" })
        {
            _upsertLatest.Parameters.Add(new SqliteParameter(p, null));
        }

        _upsertNode = _db.CreateCommand();
        _upsertNode.CommandText = StoreSchema.LatestNodeUpsert("VALUES ($n, $q, $t, $r)", StoreSchema.SqliteReceivedAt, "max");
        foreach (var p in new[] { "$n", "$q", "$t", "$r" })
        {
            _upsertNode.Parameters.Add(new SqliteParameter(p, null));
        }
    }

    public string Path { get; }

    private void CreateSchema()
    {
        // One write transaction (BEGIN IMMEDIATE) for the checks and the changes, so a receiver and an
        // export opening an old database together migrate it once.
        using var tx = _db.BeginTransaction(deferred: false);
        bool hadLatest;
        using (var cmd = _db.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{StoreSchema.Latest}'";
            hadLatest = (long)cmd.ExecuteScalar()! > 0;
        }

        Execute(
            $"CREATE TABLE IF NOT EXISTS batches (node INTEGER NOT NULL, seq INTEGER NOT NULL, {StoreSchema.SqliteReceivedAt} INTEGER NOT NULL, first_time INTEGER NOT NULL, " +
            "last_time INTEGER NOT NULL, readings INTEGER NOT NULL, payload_bytes INTEGER NOT NULL, diag_text TEXT, PRIMARY KEY (node, seq)) WITHOUT ROWID;" +
            "CREATE TABLE IF NOT EXISTS readings (node INTEGER NOT NULL, channel INTEGER NOT NULL, unit INTEGER NOT NULL, time INTEGER NOT NULL, " +
            "value REAL, status INTEGER NOT NULL, seq INTEGER NOT NULL);" +
            "CREATE INDEX IF NOT EXISTS readings_node_channel_time ON readings (node, channel, time);" +
            "CREATE INDEX IF NOT EXISTS readings_node_time ON readings (node, time);" + // serve: latest sample, paging (read-only, so made here)
            "CREATE TABLE IF NOT EXISTS channels (id INTEGER PRIMARY KEY, name TEXT NOT NULL);" +
            "CREATE TABLE IF NOT EXISTS units (id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, name TEXT NOT NULL);" +
            "CREATE TABLE IF NOT EXISTS statuses (id INTEGER PRIMARY KEY, name TEXT NOT NULL, meaning TEXT NOT NULL);" +
            $"CREATE TABLE IF NOT EXISTS {StoreSchema.Latest} (node INTEGER NOT NULL, channel INTEGER NOT NULL, unit INTEGER NOT NULL, time INTEGER NOT NULL, " +
            "value REAL, status INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (node, channel)) WITHOUT ROWID;" +
            $"CREATE TABLE IF NOT EXISTS {StoreSchema.LatestNodes} (node INTEGER PRIMARY KEY, seq INTEGER NOT NULL, last_time INTEGER NOT NULL, {StoreSchema.SqliteReceivedAt} INTEGER NOT NULL);", tx);
        var existing = new HashSet<string>();
        using (var cmd = _db.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT name FROM pragma_table_info('batches')";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                existing.Add(r.GetString(0));
            }
        }

        if (existing.Contains("received_at") && !existing.Contains(StoreSchema.SqliteReceivedAt))
        {
            // Databases before the rename kept unix ms under a bare name; a rename keeps every value.
            Execute($"ALTER TABLE batches RENAME COLUMN received_at TO {StoreSchema.SqliteReceivedAt}", tx);
        }

        foreach (string col in StoreSchema.DiagnosticColumns.Where(c => !existing.Contains(c)))
        {
            Execute($"ALTER TABLE batches ADD COLUMN {col} INTEGER", tx);
        }

        if (!hadLatest)
        {
            // A database from before the latest tables (new ones are empty): filled once from what it holds.
            Execute(StoreSchema.LatestBackfill(StoreSchema.SqliteReceivedAt), tx);
        }

        Execute(StoreSchema.LookupRows("INSERT OR REPLACE", _ => ""), tx);
        Execute("DROP VIEW IF EXISTS readings_v; CREATE VIEW readings_v AS " +
            StoreSchema.ReadingsView("strftime('%Y-%m-%dT%H:%M:%SZ', r.time, 'unixepoch')"), tx);
        tx.Commit();
    }

    public bool[] Store(IReadOnlyList<ReceivedBatch> batches)
    {
        var stored = new bool[batches.Count];
        using var tx = _db.BeginTransaction();
        _insertBatch.Transaction = tx;
        _insertReading.Transaction = tx;
        _upsertLatest.Transaction = tx;
        _upsertNode.Transaction = tx;
        for (int i = 0; i < batches.Count; i++)
        {
            var b = batches[i];
            var p = _insertBatch.Parameters;
            p[0].Value = (long)b.NodeId;
            p[1].Value = (long)b.Sequence;
            p[2].Value = b.ReceivedAt.ToUnixTimeMilliseconds();
            p[3].Value = StoreSchema.FirstTime(b);
            p[4].Value = StoreSchema.LastTime(b);
            p[5].Value = b.ReadingCount;
            p[6].Value = b.PayloadBytes;
            var diag = StoreSchema.DiagnosticValues(b);
            for (int f = 0; f < diag.Length; f++)
            {
                p[7 + f].Value = diag[f] is long v ? v : DBNull.Value;
            }

            p[7 + diag.Length].Value = (object?)b.DiagnosticsText ?? DBNull.Value;
            if (_insertBatch.ExecuteNonQuery() == 0)
            {
                continue; // (node, seq) is stored already
            }

            stored[i] = true;
            foreach (var row in StoreSchema.ReadingRows(b))
            {
                Run(_insertReading, row);
            }

            foreach (var row in StoreSchema.LatestRows([b]))
            {
                Run(_upsertLatest, row); // moves only forward: the statement's WHERE compares (time, seq)
            }

            var n = _upsertNode.Parameters;
            n[0].Value = (long)b.NodeId;
            n[1].Value = (long)b.Sequence;
            n[2].Value = StoreSchema.LastTime(b);
            n[3].Value = b.ReceivedAt.ToUnixTimeMilliseconds();
            _upsertNode.ExecuteNonQuery();
        }

        tx.Commit();
        return stored;
    }

    public IEnumerable<Reading> Readings(uint? node = null, long? since = null, long? until = null)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT node, seq, channel, unit, time, value, status FROM readings WHERE ($node IS NULL OR node = $node) " +
            "AND ($since IS NULL OR time >= $since) AND ($until IS NULL OR time <= $until) ORDER BY node, time, channel";
        cmd.Parameters.AddWithValue("$node", node is uint n ? (long)n : DBNull.Value);
        cmd.Parameters.AddWithValue("$since", since is long s ? s : DBNull.Value);
        cmd.Parameters.AddWithValue("$until", until is long u ? u : DBNull.Value);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            yield return StoreSchema.ToReading((uint)r.GetInt64(0), (uint)r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), r.GetInt64(4),
                r.IsDBNull(5) ? null : r.GetDouble(5), (byte)r.GetInt32(6));
        }
    }

    public IEnumerable<BatchRecord> Batches(uint? node = null)
    {
        var cols = StoreSchema.SqliteBatchColumns;
        using var cmd = _db.CreateCommand();
        cmd.CommandText = $"SELECT {string.Join(", ", cols)} FROM batches WHERE ($node IS NULL OR node = $node) ORDER BY node, seq";
        cmd.Parameters.AddWithValue("$node", node is uint n ? (long)n : DBNull.Value);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var diag = StoreSchema.ReadDiagnostics(r);
            yield return new BatchRecord((uint)r.GetInt64(0), (uint)r.GetInt64(1), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)), r.GetInt64(3),
                r.GetInt64(4), r.GetInt32(5), r.GetInt32(6), diag, r.IsDBNull(cols.Length - 1) ? null : r.GetString(cols.Length - 1));
        }
    }

    public (long Batches, long Readings) Count()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM readings)";
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    public IReadOnlyList<uint> StoredSequences(uint node, uint from, int max)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT seq FROM batches WHERE node = $n AND seq >= $f ORDER BY seq LIMIT $m"; // the primary key's order
        cmd.Parameters.AddWithValue("$n", (long)node);
        cmd.Parameters.AddWithValue("$f", (long)from);
        cmd.Parameters.AddWithValue("$m", max);
        return StoreSchema.StoredSequences(cmd);
    }

    public long CountBatches(IReadOnlyList<(uint Node, uint From, uint To)> ranges)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM batches WHERE node = $n AND seq BETWEEN $a AND $b";
        var (n, a, b) = (cmd.Parameters.Add("$n", SqliteType.Integer), cmd.Parameters.Add("$a", SqliteType.Integer), cmd.Parameters.Add("$b", SqliteType.Integer));
        long stored = 0;
        foreach (var r in ranges)
        {
            (n.Value, a.Value, b.Value) = ((long)r.Node, (long)r.From, (long)r.To);
            stored += (long)cmd.ExecuteScalar()!;
        }

        return stored;
    }

    private void Execute(string sql, SqliteTransaction? tx = null)
    {
        using var cmd = _db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _insertBatch.Dispose();
        _insertReading.Dispose();
        _upsertLatest.Dispose();
        _upsertNode.Dispose();
        _db.Dispose();
    }

    /// <summary>Binds a reading row to a statement whose parameters are node, channel, unit, time, value, status, seq (insert and latest upsert alike) and runs it.</summary>
    private static void Run(SqliteCommand cmd, StoreSchema.ReadingRow row)
    {
        var p = cmd.Parameters;
        p[0].Value = (long)row.Node;
        p[1].Value = row.Channel;
        p[2].Value = row.Unit;
        p[3].Value = row.Time;
        p[4].Value = row.Value is double d ? d : DBNull.Value;
        p[5].Value = (int)row.Status;
        p[6].Value = (long)row.Seq;
        cmd.ExecuteNonQuery();
    }
}
