using CityNode.Host.Receiving;
using Npgsql;
using NpgsqlTypes;

namespace CityNode.Host.Stores;

/// <summary>
/// The city-scale receiver database (Npgsql). A group of batches is written in one transaction
/// with binary COPY: batch rows go to a temporary table, are inserted into <c>batches</c> with
/// ON CONFLICT DO NOTHING (so receivers sharing a group deduplicate through the primary key), and
/// only the batches that were new have their readings copied. Times are <c>timestamptz</c>.
/// </summary>
public sealed class PostgresStore : ITelemetryStore
{
    private static readonly string[] ReadingColumns = { "node", "channel", "unit", "time", "value", "status", "seq" };
    private readonly NpgsqlDataSource _source;
    private NpgsqlConnection? _writer;

    public PostgresStore(string connectionString)
    {
        try
        {
            _source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "citynode" });
        }
        catch (ArgumentException e)
        {
            throw new StoreException($"--postgres: {e.Message}", e);
        }

        try
        {
            CreateSchema();
        }
        catch (Exception e) when (e is NpgsqlException or PostgresException or TimeoutException)
        {
            _source.Dispose();
            throw new StoreException($"PostgreSQL: {e.Message}", e);
        }
    }

    private void CreateSchema()
    {
        using var conn = _source.OpenConnection();
        using var tx = conn.BeginTransaction();
        // Two receivers starting together must not race on CREATE TABLE.
        Execute(conn, "SELECT pg_advisory_xact_lock(727274)");
        bool hadLatest;
        using (var cmd = new NpgsqlCommand($"SELECT to_regclass('{StoreSchema.Latest}') IS NOT NULL", conn))
        {
            hadLatest = (bool)cmd.ExecuteScalar()!;
        }

        Execute(conn,
            "CREATE TABLE IF NOT EXISTS batches (node bigint NOT NULL, seq bigint NOT NULL, received_at timestamptz NOT NULL, first_time timestamptz NOT NULL, " +
            "last_time timestamptz NOT NULL, readings integer NOT NULL, payload_bytes integer NOT NULL, diag_text text, PRIMARY KEY (node, seq));" +
            "CREATE TABLE IF NOT EXISTS readings (node bigint NOT NULL, channel smallint NOT NULL, unit smallint NOT NULL, time timestamptz NOT NULL, " +
            "value double precision, status smallint NOT NULL, seq bigint NOT NULL);" +
            "CREATE INDEX IF NOT EXISTS readings_node_channel_time ON readings (node, channel, time);" +
            "CREATE INDEX IF NOT EXISTS readings_node_time ON readings (node, time);" + // serve: latest sample, paging (read-only, so made here)
            "CREATE TABLE IF NOT EXISTS channels (id smallint PRIMARY KEY, name text NOT NULL);" +
            "CREATE TABLE IF NOT EXISTS units (id smallint PRIMARY KEY, symbol text NOT NULL, name text NOT NULL);" +
            "CREATE TABLE IF NOT EXISTS statuses (id smallint PRIMARY KEY, name text NOT NULL, meaning text NOT NULL);" +
            $"CREATE TABLE IF NOT EXISTS {StoreSchema.Latest} (node bigint NOT NULL, channel smallint NOT NULL, unit smallint NOT NULL, time timestamptz NOT NULL, " +
            "value double precision, status smallint NOT NULL, seq bigint NOT NULL, PRIMARY KEY (node, channel));" +
            $"CREATE TABLE IF NOT EXISTS {StoreSchema.LatestNodes} (node bigint PRIMARY KEY, seq bigint NOT NULL, last_time timestamptz NOT NULL, received_at timestamptz NOT NULL);" +
            string.Concat(StoreSchema.DiagnosticColumns.Select(c => $"ALTER TABLE batches ADD COLUMN IF NOT EXISTS {c} bigint;")) +
            StoreSchema.LookupRows("INSERT", set => $" ON CONFLICT (id) DO UPDATE SET {set}") +
            "CREATE OR REPLACE VIEW readings_v AS " + StoreSchema.ReadingsView("r.time") + ";" +
            (hadLatest ? "" : StoreSchema.LatestBackfill("received_at"))); // a database from before the latest tables: filled once
        tx.Commit();
    }

    public bool[] Store(IReadOnlyList<ReceivedBatch> batches)
    {
        try
        {
            return StoreOnce(batches);
        }
        catch (Exception)
        {
            // A broken connection is not reused: the receiver retries on a fresh one.
            _writer?.Dispose();
            _writer = null;
            throw;
        }
    }

    private bool[] StoreOnce(IReadOnlyList<ReceivedBatch> batches)
    {
        var conn = Writer();
        var cols = StoreSchema.AllBatchColumns;
        var colList = string.Join(", ", cols);
        using var tx = conn.BeginTransaction();
        using (var copy = conn.BeginBinaryImport($"COPY incoming ({colList}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var b in batches)
            {
                copy.StartRow();
                copy.Write((long)b.NodeId, NpgsqlDbType.Bigint);
                copy.Write((long)b.Sequence, NpgsqlDbType.Bigint);
                copy.Write(b.ReceivedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                copy.Write(Utc(StoreSchema.FirstTime(b)), NpgsqlDbType.TimestampTz);
                copy.Write(Utc(StoreSchema.LastTime(b)), NpgsqlDbType.TimestampTz);
                copy.Write(b.ReadingCount, NpgsqlDbType.Integer);
                copy.Write(b.PayloadBytes, NpgsqlDbType.Integer);
                foreach (long? v in StoreSchema.DiagnosticValues(b))
                {
                    if (v is long x)
                    {
                        copy.Write(x, NpgsqlDbType.Bigint);
                    }
                    else
                    {
                        copy.WriteNull();
                    }
                }

                if (b.DiagnosticsText is string text)
                {
                    copy.Write(text, NpgsqlDbType.Text);
                }
                else
                {
                    copy.WriteNull();
                }
            }

            copy.Complete();
        }

        var inserted = new HashSet<(uint, uint)>();
        using (var cmd = new NpgsqlCommand($"INSERT INTO batches ({colList}) SELECT {colList} FROM incoming ON CONFLICT DO NOTHING RETURNING node, seq", conn, tx))
        using (var r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                inserted.Add(((uint)r.GetInt64(0), (uint)r.GetInt64(1)));
            }
        }

        var stored = new bool[batches.Count];
        using (var copy = conn.BeginBinaryImport($"COPY readings ({string.Join(", ", ReadingColumns)}) FROM STDIN (FORMAT BINARY)"))
        {
            for (int i = 0; i < batches.Count; i++)
            {
                var b = batches[i];
                if (!inserted.Remove((b.NodeId, b.Sequence)))
                {
                    continue; // stored before, or twice in this group
                }

                stored[i] = true;
                foreach (var row in StoreSchema.ReadingRows(b))
                {
                    copy.StartRow();
                    copy.Write((long)row.Node, NpgsqlDbType.Bigint);
                    copy.Write((short)row.Channel, NpgsqlDbType.Smallint);
                    copy.Write((short)row.Unit, NpgsqlDbType.Smallint);
                    copy.Write(Utc(row.Time), NpgsqlDbType.TimestampTz);
                    if (row.Value is double d)
                    {
                        copy.Write(d, NpgsqlDbType.Double);
                    }
                    else
                    {
                        copy.WriteNull();
                    }

                    copy.Write((short)row.Status, NpgsqlDbType.Smallint);
                    copy.Write((long)row.Seq, NpgsqlDbType.Bigint);
                }
            }

            copy.Complete();
        }

        UpsertLatest(conn, tx, batches.Where((_, i) => stored[i]).ToList());
        tx.Commit();
        return stored;
    }

    /// <summary>
    /// The latest tables for the group's new batches: one upsert each, the rows travelling as arrays, reduced
    /// to one row per key first (an upsert may not touch a row twice) and sorted, so receivers sharing a
    /// group lock rows in the same order.
    /// </summary>
    private static void UpsertLatest(NpgsqlConnection conn, NpgsqlTransaction tx, List<ReceivedBatch> stored)
    {
        if (stored.Count == 0)
        {
            return;
        }

        var rows = StoreSchema.LatestRows(stored);
        using (var cmd = new NpgsqlCommand(StoreSchema.LatestUpsert(
            "SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::smallint[], $4::timestamptz[], $5::double precision[], $6::smallint[], $7::bigint[])"), conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (long)r.Node).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (short)r.Channel).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (short)r.Unit).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => Utc(r.Time)).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Value).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (short)r.Status).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (long)r.Seq).ToArray() });
            cmd.ExecuteNonQuery();
        }

        var nodes = StoreSchema.LatestNodeRows(stored);
        using (var cmd = new NpgsqlCommand(StoreSchema.LatestNodeUpsert(
            "SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::timestamptz[])", "received_at", "GREATEST"), conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = nodes.Select(r => (long)r.Node).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = nodes.Select(r => (long)r.Seq).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = nodes.Select(r => Utc(r.LastTime)).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = nodes.Select(r => DateTimeOffset.FromUnixTimeMilliseconds(r.ReceivedAtMs).UtcDateTime).ToArray() });
            cmd.ExecuteNonQuery();
        }
    }

    private NpgsqlConnection Writer()
    {
        if (_writer is null)
        {
            var conn = _source.OpenConnection();
            Execute(conn, "CREATE TEMP TABLE incoming (LIKE batches) ON COMMIT DELETE ROWS");
            _writer = conn;
        }

        return _writer;
    }

    public IEnumerable<Reading> Readings(uint? node = null, long? since = null, long? until = null)
    {
        using var conn = _source.OpenConnection();
        using var cmd = new NpgsqlCommand(
            "SELECT node, seq, channel, unit, time, value, status FROM readings WHERE ($1::bigint IS NULL OR node = $1) " +
            "AND ($2::timestamptz IS NULL OR time >= $2) AND ($3::timestamptz IS NULL OR time <= $3) ORDER BY node, time, channel", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = node is uint n ? (long)n : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter { Value = since is long s ? Utc(s) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter { Value = until is long u ? Utc(u) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            yield return StoreSchema.ToReading((uint)r.GetInt64(0), (uint)r.GetInt64(1), r.GetInt16(2), r.GetInt16(3), Unix(r.GetFieldValue<DateTime>(4)),
                r.IsDBNull(5) ? null : r.GetDouble(5), (byte)r.GetInt16(6));
        }
    }

    public IEnumerable<BatchRecord> Batches(uint? node = null)
    {
        var cols = StoreSchema.AllBatchColumns;
        using var conn = _source.OpenConnection();
        using var cmd = new NpgsqlCommand($"SELECT {string.Join(", ", cols)} FROM batches WHERE ($1::bigint IS NULL OR node = $1) ORDER BY node, seq", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = node is uint n ? (long)n : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var diag = StoreSchema.ReadDiagnostics(r);
            yield return new BatchRecord((uint)r.GetInt64(0), (uint)r.GetInt64(1), new DateTimeOffset(r.GetFieldValue<DateTime>(2)), Unix(r.GetFieldValue<DateTime>(3)),
                Unix(r.GetFieldValue<DateTime>(4)), r.GetInt32(5), r.GetInt32(6), diag, r.IsDBNull(cols.Length - 1) ? null : r.GetString(cols.Length - 1));
        }
    }

    public (long Batches, long Readings) Count()
    {
        using var conn = _source.OpenConnection();
        using var cmd = new NpgsqlCommand("SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM readings)", conn);
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    public IReadOnlyList<uint> StoredSequences(uint node, uint from, int max)
    {
        using var conn = _source.OpenConnection();
        using var cmd = new NpgsqlCommand("SELECT seq FROM batches WHERE node = $1 AND seq >= $2 ORDER BY seq LIMIT $3", conn); // the primary key's order
        cmd.Parameters.Add(new NpgsqlParameter { Value = (long)node });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (long)from });
        cmd.Parameters.Add(new NpgsqlParameter { Value = max });
        return StoreSchema.StoredSequences(cmd);
    }

    public long CountBatches(IReadOnlyList<(uint Node, uint From, uint To)> ranges)
    {
        // One query for a city's nodes: the ranges travel as three arrays.
        using var conn = _source.OpenConnection();
        using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM batches b JOIN unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(node, lo, hi) ON b.node = r.node AND b.seq BETWEEN r.lo AND r.hi", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = ranges.Select(r => (long)r.Node).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = ranges.Select(r => (long)r.From).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = ranges.Select(r => (long)r.To).ToArray() });
        return (long)cmd.ExecuteScalar()!;
    }

    private static DateTime Utc(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime;

    private static long Unix(DateTime t) => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeSeconds();

    private static void Execute(NpgsqlConnection conn, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, conn);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _source.Dispose();
    }
}
