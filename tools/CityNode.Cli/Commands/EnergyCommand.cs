using System.CommandLine;
using System.Text.Json;
using CityNode.Config;
using CityNode.Host.DeviceCost;
using CityNode.Host.Reports;
using CityNode.Ota;
using Spectre.Console;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode energy</c>: average current and battery life, CityNode's policy against peers'.</summary>
internal static class EnergyCommand
{
    public static Command Create()
    {
        var board = new Option<string>("--board") { Description = "board profile id (boards/*.board) or file", DefaultValueFactory = _ => "reference" };
        var config = new Option<string?>("--config") { Description = "a node config: its sensors, sample and publish intervals" };
        var channels = new Option<int?>("--channels") { Description = "channels sampled by generic real sensors instead of the board's own sensor lines (without --config): 5 = bme280 + sds011, 6 = + scd41 (1 to 16)" };
        var sample = Options.Duration("--sample", "sample interval (without --config)", TimeSpan.FromSeconds(60));
        var publish = Options.Duration("--publish", "longest time between publishes (without --config; default 15m, or the sample interval if longer)", TimeSpan.FromMinutes(15));
        var capacity = new Option<int?>("--capacity") { Description = "battery capacity in mAh (default: the board's)" };
        var plot = new Option<string?>("--plot") { Description = "write a PNG of battery life against sample and publish interval to this file" };
        var sweep = new Option<bool>("--sweep") { Description = "print the table for sample intervals 10 s to 1 h (publish at most every 15 min)" };
        var from = new Option<string?>("--from") { Description = "measure from the time diagnostics nodes reported: a receiver SQLite database (receive --db, simulate --db)" };
        var fromPostgres = new Option<string?>("--from-postgres") { Description = "the same from a PostgreSQL receiver database (connection string)" };
        var node = new Option<uint?>("--node") { Description = "with --from: only this node" };
        var otaKb = new Option<int?>("--ota-kb") { Description = $"charge an over-the-air update of this many KB (1 to {OtaManifest.MaxChunks * OtaManifest.MaxChunkSize / 1024}): its radio, CPU and flash time in the publish windows, the verify and the restart (docs/ota.md)" };
        var otaEvery = Options.Duration("--ota-every", "with --ota-kb: one update this often, added to the average current and the battery life");
        var otaRate = Options.Count("--ota-rate", "with --ota-kb: bytes per second a node receives chunks at over MQTT/TLS (no board constant gives it)", EnergyReport.DefaultOtaBytesPerSecond, 100);
        var json = Options.Json();
        var command = new Command("energy", "Average current and battery life of a node (the ESP32 program run on the nanoFramework twin), with ESPHome-style and always-on nodes on the same costs")
        {
            board, config, channels, sample, publish, capacity, plot, sweep, from, fromPostgres, node, otaKb, otaEvery, otaRate, json,
        };
        command.SetAction(parse =>
        {
            BoardProfile profile;
            EnergyReport.Workload workload;
            try
            {
                profile = Boards.Load(parse.GetValue(board)!);
                string? configPath = parse.GetValue(config);
                if (configPath is not null)
                {
                    if (!File.Exists(configPath))
                    {
                        throw new FormatException($"--config {configPath}: no such file");
                    }

                    try
                    {
                        workload = EnergyReport.Workload.FromConfig(NodeConfig.Parse(File.ReadAllText(configPath)));
                    }
                    catch (ConfigException e)
                    {
                        throw new FormatException($"{configPath}: {e.Message}");
                    }
                }
                else
                {
                    long s = (long)parse.GetValue(sample).TotalSeconds;
                    long p = (long)parse.GetValue(publish).TotalSeconds;
                    if (parse.GetResult(publish) is not { Implicit: false })
                    {
                        p = Math.Max(p, s); // the default publish interval never asks for more than one publish per sample
                    }

                    CheckIntervals(s, p);
                    workload = parse.GetValue(channels) is int n
                        ? EnergyReport.Workload.Generic(n, s, p)
                        : EnergyReport.Workload.ForBoard(profile, s, p);
                }
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine("energy: " + e.Message);
                return 1;
            }

            string? png = parse.GetValue(plot);
            if (png is not null && Path.GetDirectoryName(Path.GetFullPath(png)) is { } pngDir && !Directory.Exists(pngDir))
            {
                Console.Error.WriteLine($"energy: --plot {png}: the folder {pngDir} does not exist; create it first or write the plot elsewhere");
                return 1;
            }

            int? kb = parse.GetValue(otaKb);
            long? every = parse.GetResult(otaEvery) is { Implicit: false } ? (long)parse.GetValue(otaEvery).TotalSeconds : null;
            string? otaProblem = kb switch
            {
                null when every is not null || parse.GetResult(otaRate) is { Implicit: false } => "--ota-every and --ota-rate go with --ota-kb N (the update's size)",
                < 1 or > OtaManifest.MaxChunks * OtaManifest.MaxChunkSize / 1024 => $"--ota-kb {kb}: 1 to {OtaManifest.MaxChunks * OtaManifest.MaxChunkSize / 1024} (a release is at most {OtaManifest.MaxChunks} chunks of {OtaManifest.MaxChunkSize / 1024} KB)",
                _ when every is <= 0 => "--ota-every: a duration above 0 (e.g. 30d)",
                _ => null,
            };
            if (otaProblem is not null)
            {
                Console.Error.WriteLine("energy: " + otaProblem);
                return 1;
            }

            int? cap = parse.GetValue(capacity);
            if (cap is <= 0)
            {
                Console.Error.WriteLine("energy: --capacity must be positive");
                return 1;
            }

            string? fromDb = parse.GetValue(from);
            string? fromPg = parse.GetValue(fromPostgres);
            if (fromDb is not null || fromPg is not null)
            {
                return EnergyFromDiagnostics.Print(fromDb, fromPg, parse.GetValue(node), profile, workload, cap ?? profile.Power.BatteryMilliampHours, parse.GetValue(json));
            }

            EnergyReport report;
            try
            {
                report = EnergyReport.Run(profile, workload, cap, boardSource: parse.GetValue(board));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("energy: " + e.Message); // a sensor the twin has no chip for
                return 1;
            }

            if (kb is int otaKbValue && report.Measured is { } measured)
            {
                report.WithOta(profile.Power, otaKbValue, every, parse.GetValue(otaRate), measured.Flash);
            }

            bool asJson = parse.GetValue(json);
            if (report.Measured is { Acknowledged: 0 } m)
            {
                Console.Error.WriteLine($"energy: warning: the node delivered nothing in the {m.Span.TotalMs / 3_600_000.0:F0} h measured (sleep: {report.Sleep}); the figure is that of a node that does not work with this workload");
            }

            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Print(report, profile);
            }

            if (parse.GetValue(sweep))
            {
                PrintSweep(profile, workload, cap ?? profile.Power.BatteryMilliampHours);
            }

            if (png is not null)
            {
                EnergyPlot.Save(png, profile, (s, p) => workload with { SampleSeconds = s, PublishSeconds = p }, cap ?? profile.Power.BatteryMilliampHours,
                    asJson ? null : m => Console.Error.Write($"\r{m,-60}"));
                if (!asJson)
                {
                    Console.Error.WriteLine();
                    AnsiConsole.MarkupLine($"plot written to [bold]{Markup.Escape(png)}[/]");
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// --sample and --publish as a node config would carry them, refused by the node's own rules
    /// (NodeConfig: 10 s to 1 d, publish not shorter than sample) rather than silently changed.
    /// </summary>
    private static void CheckIntervals(long sample, long publish)
    {
        try
        {
            NodeConfig.Parse($"node.id = 1\nsample = {sample}s\npublish = {publish}s\n");
        }
        catch (ConfigException e)
        {
            string option = e.Key == "publish" ? $"--publish {ValueParser.FormatDuration(publish)}" : $"--sample {ValueParser.FormatDuration(sample)}";
            string fix = e.Key == "publish" && publish < sample ? $"; give --publish {ValueParser.FormatDuration(sample)} or more (a node publishes at most once per sample), or a shorter --sample" : "";
            throw new FormatException($"{option}: {e.Problem} (the node's config rule, as provision applies it){fix}");
        }
    }

    private static void Print(EnergyReport r, BoardProfile board)
    {
        var t = new Table().Border(TableBorder.Rounded).AddColumn("policy").AddColumn(new TableColumn("average").RightAligned()).AddColumn(new TableColumn("battery").RightAligned());
        t.Title = new TableTitle($"{Markup.Escape(board.Name ?? board.Id)}: {string.Join(" + ", r.Sensors)} ({r.Channels} channels, from {Markup.Escape(r.SensorsFrom)}), sample {ValueParser.FormatDuration(r.SampleSeconds)}, publish ≤ {ValueParser.FormatDuration(r.PublishSeconds)}, {r.CapacityMah} mAh");
        t.AddRow("[bold]CityNode[/] (" + Markup.Escape(r.Sleep) + " sleep)", $"{r.AverageMilliamps:F3} mA", $"{r.Days:F0} days");
        t.AddRow("lower bound of the model", $"{r.LowerBoundMilliamps:F3} mA", $"{r.CapacityMah / r.LowerBoundMilliamps / 24:F0} days");
        t.AddRow("ESPHome-style (publish every sample)", $"{r.Baselines[EnergyReport.EsphomeStyle]:F3} mA", $"{r.BaselineDays[EnergyReport.EsphomeStyle]:F0} days");
        t.AddRow("always on (airRohr-style)", $"{r.Baselines[EnergyReport.AlwaysOn]:F2} mA", $"{r.BaselineDays[EnergyReport.AlwaysOn]:F1} days");
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine($"per reading delivered: {r.MicroampHoursPerReading:F2} µAh. Where CityNode's current goes: " +
            Markup.Escape(string.Join(", ", r.Breakdown.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:F3} mA"))));
        AnsiConsole.MarkupLine($"CPU interpreting IL (cpu_il): {r.Breakdown["cpu_il"]:F3} mA at {board.Power.IlPerSecond / 1e6:0.##} M IL/s " +
            $"({r.CpuIlRangeMilliamps[0]:F3}–{r.CpuIlRangeMilliamps[1]:F3} mA from {IlMeter.FastIlPerSecond / 1e6:0.#} to {IlMeter.SlowIlPerSecond / 1e6:0.#} M IL/s: average {r.AverageRangeMilliamps[0]:F3}–{r.AverageRangeMilliamps[1]:F3} mA); " +
            $"flash operations (flash): {r.Breakdown["flash"]:F3} mA; other native work (cpu_active): {r.Breakdown["cpu_active"]:F3} mA");
        if (r.Measured is { } m)
        {
            AnsiConsole.MarkupLine($"measured on the twin over {m.Span.TotalMs / 3_600_000.0:F1} h: {m.Wakes} wakes, {m.Boots} boots, {m.Connections} connections, {m.Acknowledged} batches acknowledged, {m.Readings} readings. Ledger: " +
                Markup.Escape(m.Span.ToString()));
        }

        if (r.Ota is { } o)
        {
            AnsiConsole.MarkupLine($"[bold]OTA update[/] of {o.Kb} KB ({o.Chunks} chunks, {o.WireBytes:N0} B on the wire): [bold]{o.MilliampHoursPerUpdate:F3} mAh[/] " +
                $"({o.MilliampHoursRange[0]:F3}–{o.MilliampHoursRange[1]:F3} over the IL range) — in the publish windows, radio associated: receive {o.RadioSeconds:F1} s at {o.BytesPerSecond / 1000.0:0.#} KB/s, take the chunks {o.CpuSeconds:F1} s CPU ({o.ChunkIl:N0} IL), flash {o.FlashSeconds:F1} s; " +
                $"radio off: verify {o.VerifySeconds:F1} s ({o.VerifyIl:N0} IL), restart {o.BootSeconds:F1} s" +
                (o.EverySeconds is long e ? $"; one every {ValueParser.FormatDuration(e)}: +{o.AddedMilliamps:F4} mA → {o.AverageWithOta:F3} mA, {o.DaysWithOta:F0} days" : ""));
        }

        AnsiConsole.MarkupLine("constants: " + Markup.Escape(string.Join(", ", r.Constants.Select(kv => $"{kv.Key}={kv.Value}"))) + $" (boards/{Markup.Escape(board.Id)}.board, with sources)");
    }

    private static void PrintSweep(BoardProfile board, EnergyReport.Workload w, int capacity)
    {
        var t = new Table().Border(TableBorder.Rounded)
            .AddColumn("sample").AddColumn("publish ≤").AddColumn(new TableColumn("CityNode mA").RightAligned()).AddColumn(new TableColumn("lower bound").RightAligned())
            .AddColumn(new TableColumn("× bound").RightAligned()).AddColumn(new TableColumn("ESPHome-style").RightAligned()).AddColumn(new TableColumn("always on").RightAligned()).AddColumn(new TableColumn("days").RightAligned());
        foreach (long s in EnergyPlot.SampleSeconds)
        {
            long p = Math.Max(900, s);
            var r = EnergyReport.Run(board, w with { SampleSeconds = s, PublishSeconds = p }, capacity);
            t.AddRow(ValueParser.FormatDuration(s), ValueParser.FormatDuration(p), $"{r.AverageMilliamps:F3}", $"{r.LowerBoundMilliamps:F3}", $"{r.AverageMilliamps / r.LowerBoundMilliamps:F3}",
                $"{r.Baselines[EnergyReport.EsphomeStyle]:F3}", $"{r.Baselines[EnergyReport.AlwaysOn]:F2}", $"{r.Days:F0}");
        }

        AnsiConsole.Write(t);
    }
}
