using System.Diagnostics;
using CityNode.Host.Receiving;
using CityNode.Host.Stores;
using CityNode.Serve;
using CityNode.Telemetry;
using CityNode.Testing.Servers;
using Npgsql;

namespace CityNode.Benchmarks;

/// <summary>
/// <c>serve</c> at city scale (issue 17 item 3; figures, not a test): the load benchmark's hour of
/// 10,000 nodes (6 channels sampled each minute, a batch every 15 min: 3.6 M readings) written into
/// a real PostgreSQL through <see cref="PostgresStore"/> (so the receiver's schema and indexes), one of
/// them with 7 days of history; then serve's latest-values query, the latest-values page (<c>/</c> and the
/// <c>/api/map</c> it loads), <c>/api/nodes</c>, a 7-day single-channel chart (<c>/api/nodes/1/series?range=7d</c>)
/// and a CSV page, uncached, each timed as the median of repeated runs and divided by a baseline measured
/// in the same run: the latest values as serve searched them before the latest tables (<see cref="ServeStore.LatestSampleScan"/>).
/// The plans are printed too: an answer from indexes shows no Seq Scan on readings.
/// </summary>
public static class ServeBenchmark
{
    private static readonly (byte Id, byte Unit, int Exponent)[] Air =
    {
        (Channels.AirTemperature, Units.Celsius, -2), (Channels.RelativeHumidity, Units.RelativeHumidityPercent, -2), (Channels.AirPressure, Units.Pascal, 0),
        (Channels.Pm25, Units.MicrogramPerCubicMetre, -1), (Channels.Pm10, Units.MicrogramPerCubicMetre, -1), (Channels.Co2, Units.PartsPerMillion, 0),
    };

    public static int Run(string[] args)
    {
        int nodes = args.Length > 1 && args[0] == "--nodes" ? int.Parse(args[1]) : 10_000;
        const int repeats = 15;
        long start = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 3600 * 3600 - 3600;
        Console.WriteLine($"serve-queries: {nodes:N0} nodes × 1 h × {Air.Length} channels each minute into PostgreSQL (PostgresStore), node 1 with 7 days");
        using var pg = new LocalPostgres();
        string cs = pg.CreateDatabase("serve");
        var load = Stopwatch.StartNew();
        using (var store = new PostgresStore(cs))
        {
            var group = new List<ReceivedBatch>();
            void Flush()
            {
                store.Store(group);
                group.Clear();
            }

            // Node 1's week before the common hour, then every node's hour.
            for (long t = start - (7 * 86400) + 3600; t < start; t += 900)
            {
                group.Add(Batch(1, (uint)((t - (start - (7 * 86400))) / 900), t));
                if (group.Count == 500)
                {
                    Flush();
                }
            }

            for (uint node = 1; node <= nodes; node++)
            {
                for (int q = 0; q < 4; q++)
                {
                    group.Add(Batch(node, (uint)(10_000 + q), start + (q * 900)));
                    if (group.Count == 500)
                    {
                        Flush();
                    }
                }
            }

            Flush();
            var (b, r) = store.Count();
            Console.WriteLine($"  loaded {r:N0} readings in {b:N0} batches in {load.Elapsed.TotalSeconds:F0} s");
        }

        using (var conn = new NpgsqlConnection(cs))
        {
            conn.Open();
            new NpgsqlCommand("VACUUM ANALYZE", conn).ExecuteNonQuery();
        }

        using var serve = ServeStore.Open(null, cs);
        Console.WriteLine($"  index {ServeStore.NodeTimeIndex}: {(serve.HasNodeTimeIndex() ? "present" : "MISSING")}; tables {StoreSchema.Latest}, {StoreSchema.LatestNodes}: {(serve.HasLatestTables() ? "present" : "MISSING")}");

        // The baseline, in the same run: the latest values as serve read them before the latest tables (each
        // node's newest batch, then its newest sample's readings through readings (node, time)), on a read-only connection.
        double baseline;
        using (var ro = new NpgsqlConnection(PostgresServeStore.ReadOnly(cs)))
        {
            ro.Open();
            baseline = Median(repeats, () =>
            {
                using var cmd = new NpgsqlCommand(ServeStore.LatestSampleScan("") + " ORDER BY r.node, r.channel", ro);
                using var r = cmd.ExecuteReader();
                int n = 0;
                while (r.Read())
                {
                    n++;
                }

                return n;
            });
        }

        var rows = new List<(string What, double Ms)>
        {
            ("latest values, all nodes (Latest: the latest table)", Median(repeats, () => serve.LatestReadings())),
            ("last batch per node (LastBatches, fleet)", Median(repeats, () => serve.LastBatches())),
            ("7-day series of one channel (Series, 240 buckets)", Median(repeats, () => serve.Series(1, Channels.Pm25, start + 3600 - (7 * 86400), start + 3600, 2520))),
            ("a page of 1000 readings mid-week (Page)", Median(repeats, () => serve.Page(1, null, start - (3 * 86400), start, start - (3 * 86400) - 1, 255, 1000))),
        };

        var host = ServeHost.StartAsync(new ServeOptions { Postgres = cs, Listen = "127.0.0.1:0" }).GetAwaiter().GetResult();
        using (var http = new HttpClient { BaseAddress = host.Url })
        {
            byte[] Get(string url) => http.GetByteArrayAsync(url).GetAwaiter().GetResult();

            // Nothing is cached: every request reads the database again.
            rows.Add(("latest-values page: GET / + GET /api/map", Median(repeats, () => Get("").Length + Get("api/map").Length)));
            rows.Add(("GET /api/map", Median(repeats, () => Get("api/map"))));
            rows.Add(("GET /api/nodes (every node's GeoJSON Feature)", Median(repeats, () => Get("api/nodes"))));
            rows.Add(("GET /api/nodes/1/series?channel=pm2_5&range=7d", Median(repeats, () => Get("api/nodes/1/series?channel=pm2_5&range=7d"))));
            rows.Add(("GET /api/nodes/1/readings?format=csv&limit=1000", Median(repeats, () => Get("api/nodes/1/readings?format=csv&limit=1000"))));
            Console.WriteLine($"  sizes: / {Get("").Length / 1024.0:N1} KiB, /api/map {Get("api/map").Length / 1024:N0} KiB, /api/nodes {Get("api/nodes").Length / 1024:N0} KiB");
        }

        host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Console.WriteLine($"  baseline (latest values by the old per-node search, LatestSampleScan, same data): {baseline:F1} ms, median of {repeats}");
        Console.WriteLine($"  {"query",-52} {"median ms",10} {"÷ baseline",11} {"< 200 ms",9}");
        foreach (var (what, ms) in rows)
        {
            Console.WriteLine($"  {what,-52} {ms,10:F1} {ms / baseline,11:F3} {(ms < 200 ? "yes" : "NO"),9}");
        }

        using (var conn = new NpgsqlConnection(cs))
        {
            conn.Open();
            foreach (var (what, sql) in new[]
            {
                ("latest values", ServeStore.LatestRows(null)),
                ("old latest search (baseline)", ServeStore.LatestSampleScan("")),
                ("7-day series", $"SELECT (extract(epoch FROM time)::bigint - {start - (7 * 86400)}) / 2520 AS b, avg(value) FROM readings WHERE node = 1 AND channel = {Channels.Pm25} " +
                    $"AND time >= to_timestamp({start - (7 * 86400)}) AND time <= to_timestamp({start + 3600}) AND status = 0 GROUP BY b"),
            })
            {
                using var cmd = new NpgsqlCommand("EXPLAIN (ANALYZE, COSTS OFF) " + sql, conn);
                using var r = cmd.ExecuteReader();
                var plan = new List<string>();
                while (r.Read())
                {
                    plan.Add(r.GetString(0));
                }

                bool seq = plan.Any(l => l.Contains("Seq Scan on readings", StringComparison.Ordinal));
                Console.WriteLine($"  plan of {what}: {(seq ? "SEQ SCAN of readings" : "no Seq Scan of readings")} ({string.Join("; ", plan.Where(l => l.Contains("Scan", StringComparison.Ordinal) || l.Contains("Execution Time", StringComparison.Ordinal)).Select(l => l.Trim()).Distinct().Take(6))})");
            }
        }

        return 0;
    }

    private static double Median(int n, Func<object> f)
    {
        f(); // warm: pool, plan cache, pages in memory
        var times = new List<double>();
        for (int i = 0; i < n; i++)
        {
            var sw = Stopwatch.StartNew();
            f();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[n / 2];
    }

    /// <summary>A 15-minute batch: 15 samples of the air channels, values drifting with node and time, diagnostics as a node sends them.</summary>
    private static ReceivedBatch Batch(uint node, uint seq, long from)
    {
        const int samples = 15;
        var b = new SampleBatch(samples, Air.Length) { Count = samples, ChannelCount = Air.Length };
        for (int c = 0; c < Air.Length; c++)
        {
            b.Channels[c].Set(Air[c].Id, Air[c].Unit, 1, Air[c].Exponent);
        }

        for (int i = 0; i < samples; i++)
        {
            long t = from + (i * 60);
            b.Times[i] = t;
            int wave = (int)((t / 60 + node) % 97);
            b.Values[b.Index(0, i)] = 800 + wave;
            b.Values[b.Index(1, i)] = 6000 + wave;
            b.Values[b.Index(2, i)] = 101_000 + wave;
            b.Values[b.Index(3, i)] = 50 + wave;
            b.Values[b.Index(4, i)] = 90 + wave;
            b.Values[b.Index(5, i)] = 420 + wave;
        }

        return new ReceivedBatch
        {
            NodeId = node,
            Sequence = seq,
            Samples = b,
            Diagnostics = new Dictionary<string, long> { ["battery_mv"] = 3900, ["rssi_dbm"] = -70, ["boot_ms"] = 1500, ["deep_sleep_ms"] = 880_000 },
            PayloadBytes = 120,
            ReceivedAt = DateTimeOffset.FromUnixTimeSeconds(from + 900),
        };
    }
}
