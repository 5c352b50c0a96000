using System.Diagnostics;
using System.Text.Json;
using CityNode.Testing.Servers;
using Npgsql;

namespace CityNode.Benchmarks;

/// <summary>
/// The city-scale load run (a benchmark that prints figures, not a test):
/// <c>citynode simulate --nodes N --broker mqtt://127.0.0.1:PORT</c> against a real mosquitto, and
/// <c>citynode receive --postgres</c> in 1, then 2 processes of one shared-subscription group,
/// into a real PostgreSQL. Receivers first open their sessions, stop, and are started again once
/// the simulation has published everything (mosquitto queues for them meanwhile), so the figure is
/// the receivers' own drain rate, not the simulator's publish rate. Every run checks that
/// PostgreSQL holds exactly the readings the simulation produced.
/// </summary>
public static class LoadBenchmark
{
    public static int Run(string[] args)
    {
        int nodes = Arg(args, "--nodes", 10_000);
        string duration = ArgText(args, "--duration", "1h");
        string cli = Path.Combine(AppContext.BaseDirectory, "citynode.dll");
        Console.WriteLine($"load: {nodes} simulated nodes, {duration} each, mosquitto → citynode receive --postgres (1 and 2 processes of one shared group)");
        using var broker = new LocalMosquitto();
        using var pg = new LocalPostgres();
        var rows = new List<string>();
        double? baseline = null;
        foreach (int receivers in new[] { 1, 2 })
        {
            string db = pg.CreateDatabase($"load{receivers}");
            // A group of its own per round: the round before left persistent sessions in its group,
            // and mosquitto keeps handing absent members their share (see docs/receiver.md).
            string group = $"city{receivers}";
            var ids = Enumerable.Range(1, receivers).Select(i => $"load{receivers}-r{i}").ToArray();
            foreach (var id in ids)
            {
                Cli(cli, ["receive", "--broker", broker.Url, "--postgres", db, "--group", group, "--client-id", id, "--idle-exit", "1s", "--json"]).WaitForExit();
            }

            var sw = Stopwatch.StartNew();
            using var sim = Cli(cli, ["simulate", "--nodes", nodes.ToString(), "--duration", duration, "--broker", broker.Url, "--json"]);
            string simJson = sim.StandardOutput.ReadToEnd();
            sim.WaitForExit();
            var simSummary = JsonDocument.Parse(simJson).RootElement;
            long produced = simSummary.GetProperty("produced").GetInt64();
            long lost = simSummary.GetProperty("lost").GetInt64();
            Console.WriteLine($"  simulate: {produced:N0} readings in {simSummary.GetProperty("batches").GetInt64():N0} batches, lost {lost}, {sw.Elapsed.TotalSeconds:F0} s");

            var drain = Stopwatch.StartNew();
            var procs = ids.Select(id => Cli(cli, ["receive", "--broker", broker.Url, "--postgres", db, "--group", group, "--client-id", id, "--idle-exit", "3s", "--json"])).ToList();
            var outputs = procs.Select(p => p.StandardOutput.ReadToEndAsync()).ToList();
            procs.ForEach(p => p.WaitForExit());
            var results = outputs.Select(o => JsonDocument.Parse(o.Result).RootElement).ToList();
            double active = results.Max(r => r.GetProperty("active_seconds").GetDouble());
            long stored = results.Sum(r => r.GetProperty("readings").GetInt64());
            var (pgBatches, pgReadings) = Count(db);
            double rate = stored / active;
            baseline ??= rate;
            string shares = string.Join(" + ", results.Select(r => r.GetProperty("readings").GetInt64().ToString("N0")));
            Console.WriteLine($"  {receivers} receiver(s): {shares} readings in {active:F1} s = {rate:N0} readings/s; PostgreSQL holds {pgReadings:N0} readings " +
                $"in {pgBatches:N0} batches; produced − stored = {produced - pgReadings}");
            rows.Add($"| {receivers} | {nodes:N0} | {produced:N0} | {pgReadings:N0} | {produced - pgReadings} | {active:F1} | {rate:N0} | {rate / baseline:F2} |");
            procs.ForEach(p => p.Dispose());
        }

        Console.WriteLine();
        Console.WriteLine("| receivers | nodes | readings produced | stored in PostgreSQL | lost | drain s | readings/s | × 1 receiver |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private static (long Batches, long Readings) Count(string db)
    {
        using var conn = new NpgsqlConnection(db);
        conn.Open();
        using var cmd = new NpgsqlCommand("SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM readings)", conn);
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    private static Process Cli(string dll, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    private static int Arg(string[] args, string name, int fallback) => int.TryParse(ArgText(args, name, ""), out int v) ? v : fallback;

    private static string ArgText(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
