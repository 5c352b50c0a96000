using System.CommandLine;
using System.Text.Json;
using CityNode.Host.Simulation;
using Spectre.Console;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode simulate</c>: a city of virtual nodes on recorded data, end to end over MQTT.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var nodes = Options.Count("--nodes", "number of virtual nodes", 10, min: 1);
        var kind = new Option<string>("--kind") { Description = "air, water or mixed", DefaultValueFactory = _ => "air" };
        kind.AcceptOnlyFromAmong("air", "water", "mixed");
        var data = new Option<string[]>("--data") { Description = "recorded CSV(s) to replay (default: the bundled slices)", AllowMultipleArgumentsPerToken = true };
        var speed = new Option<double?>("--speed")
        {
            Description = "virtual seconds per real second, above 0 (default: as fast as possible)",
            CustomParser = r =>
            {
                // 0 or less would stop or reverse time: refused, not read as "as fast as possible" (that is leaving --speed out).
                string text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v) || v <= 0)
                {
                    r.AddError($"--speed '{text}': virtual seconds per real second, a number above 0 (e.g. 60 or 0.5); leave --speed out to run as fast as possible");
                    return null;
                }

                return v;
            },
        };
        var duration = Options.Duration("--duration", "simulated time", TimeSpan.FromHours(24));
        var broker = new Option<string?>("--broker") { Description = "external broker URL, e.g. mqtt://127.0.0.1:1883 (default: an embedded broker)" };
        var db = new Option<string?>("--db") { Description = "also store what the receiver gets in this new SQLite file (then: export --senml --db, energy --from)" };
        var sample = Options.Duration("--sample", "sample interval of every node", TimeSpan.FromSeconds(60));
        var publish = Options.Duration("--publish", "longest time between publishes", TimeSpan.FromMinutes(15));
        var outage = Options.Duration("--outage", "a city-wide network outage of this length, starting a quarter into the run", TimeSpan.Zero);
        var powerCuts = Options.Count("--power-cuts", "power cuts at random flash writes of random nodes", 0, min: 0);
        var brokerRestarts = Options.Count("--broker-restarts", "restarts of the embedded broker (sessions and queues lost)", 0, min: 0);
        var brokerCrashes = Options.Count("--broker-crashes", "crashes of the embedded broker: what it had acknowledged and not delivered, sessions and retained messages are lost", 0, min: 0);
        var ack = new Option<string>("--ack") { Description = "what releases a node's batches from flash: backend (the receiver's acknowledgement) or broker (the PUBACK)", DefaultValueFactory = _ => "backend" };
        ack.AcceptOnlyFromAmong("backend", "broker");
        var duplicates = new Option<bool>("--duplicates") { Description = "lose one PUBACK in ten so batches are sent twice; the receiver must store them once" };
        var sleep = new Option<string>("--sleep") { Description = "auto (the power policy chooses), light or deep", DefaultValueFactory = _ => "auto" };
        sleep.AcceptOnlyFromAmong("auto", "light", "deep");
        var chaos = new Option<bool>("--chaos") { Description = "the soak run: random outages and sensor faults per node, a power cut per node-day, a broker restart a day" };
        var reconfigure = new Option<string[]>("--reconfigure")
        {
            Description = "AFTER KEY=VALUE...: at simulated time AFTER, give every node a new retained config (e.g. --reconfigure 2h sample=300s)",
            AllowMultipleArgumentsPerToken = true,
            Arity = new ArgumentArity(2, 64),
        };
        var board = new Option<string>("--board") { Description = "board profile the nodes boot with (boards/NAME.board: pins, drive size, power constants)", DefaultValueFactory = _ => "reference" };
        var ota = new Option<string?>("--ota") { Description = "AFTER: at simulated time AFTER, publish a release to every node (signed per node; with no --ota-release the simulation packs the next version itself)" };
        var otaRelease = new Option<string?>("--ota-release") { Description = "with --ota: the release file to roll out (made by citynode release)" };
        var otaBad = new Option<string?>("--ota-bad") { Description = "with --ota: make the simulation's release bad: crash (throws as it starts) or silent (never publishes); every node must roll back" };
        var json = Options.Json();
        var command = new Command("simulate", "Run virtual nodes on recorded real data against an MQTT broker and check every delivered value (exit 1 when a reading is lost, differs from the recording or was refused by the broker)")
        {
            nodes, kind, data, speed, duration, broker, db, sample, publish, outage, powerCuts, brokerRestarts, brokerCrashes, ack, duplicates, sleep, chaos, reconfigure, board, ota, otaRelease, otaBad, json,
        };

        command.SetAction(async (parse, ct) =>
        {
            var options = new SimulationOptions
            {
                Nodes = parse.GetValue(nodes),
                Kind = parse.GetValue(kind)!,
                Data = (parse.GetValue(data) ?? []).ToList(),
                Speed = parse.GetValue(speed),
                Duration = parse.GetValue(duration),
                Broker = parse.GetValue(broker),
                Database = parse.GetValue(db),
                Sample = parse.GetValue(sample),
                Publish = parse.GetValue(publish),
                Outage = parse.GetValue(outage),
                PowerCuts = parse.GetValue(powerCuts),
                BrokerRestarts = parse.GetValue(brokerRestarts),
                BrokerCrashes = parse.GetValue(brokerCrashes),
                Ack = parse.GetValue(ack)!,
                Duplicates = parse.GetValue(duplicates),
                SleepMode = parse.GetValue(sleep)!,
                Chaos = parse.GetValue(chaos),
                Board = parse.GetValue(board)!,
            };
            if (parse.GetValue(reconfigure) is { Length: > 0 } rc)
            {
                if (!CityNode.Config.ValueParser.TryDuration(rc[0], out long at))
                {
                    await Console.Error.WriteLineAsync($"--reconfigure: '{rc[0]}' is not a duration (give AFTER first, e.g. --reconfigure 2h sample=300s)");
                    return 1;
                }

                try
                {
                    CityNode.Host.Mqtt.ConfigTopic.ParseSettings(rc.Skip(1)); // key names only: values go to the nodes as given
                }
                catch (FormatException e)
                {
                    await Console.Error.WriteLineAsync("--reconfigure: " + e.Message);
                    return 1;
                }

                options.ReconfigureAt = TimeSpan.FromSeconds(at);
                options.ReconfigureSettings = rc.Skip(1).ToList();
            }

            if (parse.GetValue(ota) is { } otaAfter)
            {
                if (!CityNode.Config.ValueParser.TryDuration(otaAfter, out long otaAt))
                {
                    await Console.Error.WriteLineAsync($"--ota: '{otaAfter}' is not a duration (give when to publish the release, e.g. --ota 6h)");
                    return 1;
                }

                options.OtaAt = TimeSpan.FromSeconds(otaAt);
            }

            options.OtaRelease = parse.GetValue(otaRelease);
            options.OtaBad = parse.GetValue(otaBad);
            if (options.OtaAt is null && (options.OtaRelease is not null || options.OtaBad is not null))
            {
                await Console.Error.WriteLineAsync("--ota-release and --ota-bad go with --ota AFTER (when to publish the release)");
                return 1;
            }

            if (options.Duration <= TimeSpan.Zero)
            {
                await Console.Error.WriteLineAsync("--duration 0s: simulated time must be above 0 (e.g. 1h, 7d)");
                return 1;
            }

            // The nodes' intervals by the node config's own rules (NodeConfig), named by their options.
            string sampleText = CityNode.Config.ValueParser.FormatDuration((long)options.Sample.TotalSeconds);
            string publishText = CityNode.Config.ValueParser.FormatDuration((long)options.Publish.TotalSeconds);
            try
            {
                CityNode.Config.NodeConfig.Parse($"node.id = 1\nsample = {sampleText}\npublish = {publishText}\n");
            }
            catch (CityNode.Config.ConfigException e)
            {
                await Console.Error.WriteLineAsync($"--{e.Key} {(e.Key == "sample" ? sampleText : publishText)}: {e.Problem.Replace("than sample", "than --sample")}");
                return 1;
            }

            bool asJson = parse.GetValue(json);
            var sim = new CitySimulation(options);
            SimulationSummary summary;
            try
            {
                summary = await RunWithProgress(sim, asJson, ct);
            }
            catch (Exception e) when (e is FileNotFoundException or FormatException or KeyNotFoundException or CityNode.Host.Stores.StoreException)
            {
                await Console.Error.WriteLineAsync("simulate: " + e.Message);
                return 1;
            }

            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                PrintSummary(summary);
            }

            foreach (var failure in summary.Failures())
            {
                await Console.Error.WriteLineAsync("simulate: " + failure);
            }

            return summary.Failures().Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static async Task<SimulationSummary> RunWithProgress(CitySimulation sim, bool quiet, CancellationToken ct)
    {
        bool live = !quiet && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!live)
        {
            // Plain progress lines on stderr (stdout stays clean for --json and pipes).
            DateTime last = DateTime.MinValue;
            return await sim.RunAsync(p =>
            {
                if (!quiet && DateTime.UtcNow - last > TimeSpan.FromSeconds(2))
                {
                    last = DateTime.UtcNow;
                    Console.Error.WriteLine(Line(p));
                }
            }, ct);
        }

        SimulationSummary? result = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("simulating", maxValue: 1.0);
                result = await sim.RunAsync(p =>
                {
                    task.Value = p.Fraction;
                    task.Description = Markup.Escape(Line(p));
                }, ct);
                task.Value = 1.0;
            });
        return result!;
    }

    private static string Line(SimulationProgress p) =>
        $"{p.Nodes} nodes, {TimeSpan.FromSeconds(p.SimulatedSeconds):d\\.hh\\:mm} simulated, {p.Batches} batches, {p.Delivered} readings, " +
        $"{(p.Delivered == 0 ? 0 : (double)p.PayloadBytes / p.Delivered):F2} B/reading, {p.Retries} retries, battery {p.BatteryMillivolts} mV";

    /// <summary>The licence line of each recording used (tools/CityNode.Cli/data/SOURCES.md).</summary>
    private static string Attribution(IEnumerable<string> files)
    {
        var parts = new List<string>();
        var names = files.Select(f => f.ToLowerInvariant()).ToList();
        if (names.Any(f => f.Contains("sensorcommunity")))
        {
            parts.Add("Sensor.Community, ODbL");
        }

        if (names.Any(f => f.Contains("uci")))
        {
            parts.Add("UCI Occupancy Detection, Candanedo & Feldheim 2016, CC BY 4.0");
        }

        if (names.Any(f => f.Contains("usgs")))
        {
            parts.Add("USGS, public domain");
        }

        return string.Join("; ", parts);
    }

    private static void PrintSummary(SimulationSummary s)
    {
        var t = new Table().AddColumn("").AddColumn(new TableColumn("").RightAligned()).HideHeaders().Border(TableBorder.Rounded);
        t.Title = new TableTitle($"CityNode simulation: {s.Nodes} {s.Kind} node(s) running {s.Firmware} on {s.Board}, {TimeSpan.FromSeconds(s.SimulatedSeconds):d\\.hh\\:mm} simulated in {s.WallSeconds:F1} s ({s.Broker} broker)");
        t.AddRow("readings produced", s.Produced.ToString("N0"));
        t.AddRow("readings delivered", s.Delivered.ToString("N0"));
        t.AddRow("dropped (counted by nodes)", s.DroppedCounted.ToString("N0"));
        t.AddRow("duplicates suppressed", s.DuplicatesSuppressed.ToString("N0"));
        t.AddRow(s.Lost == 0 ? "[green]lost[/]" : "[red]lost[/]", s.Lost.ToString("N0"));
        t.AddRow("values checked against the recording", $"{s.ValuesChecked:N0} ({s.Mismatched:N0} differ)");
        t.AddRow("batches", s.Batches.ToString("N0"));
        t.AddRow("bytes per reading (payload)", s.BytesPerReading.ToString("F3"));
        t.AddRow("publish retries", s.PublishRetries.ToString("N0"));
        t.AddRow(s.PublishesRefused == 0 ? "publishes refused by the broker" : "[red]publishes refused by the broker[/]", s.PublishesRefused.ToString("N0"));
        t.AddRow("sequence gaps seen by the receiver", s.Gaps.ToString("N0"));
        t.AddRow("batches out of order", s.OutOfOrder.ToString("N0"));
        t.AddRow("power cuts / reboots / broker restarts / crashes", $"{s.PowerCuts:N0} / {s.Reboots:N0} / {s.BrokerRestarts:N0} / {s.BrokerCrashes:N0}");
        t.AddRow($"released by ({s.Ack}) / sent again", $"{s.Acknowledged:N0} / {s.Resent:N0}");
        if (s.OtaVersion is not null)
        {
            t.AddRow($"update {s.OtaVersion}: nodes updated / rolled back", $"{s.OtaUpdated:N0} / {s.OtaRolledBack:N0}" + (s.OtaRollbackReason is null ? "" : $" ({s.OtaRollbackReason})"));
        }
        if (s.FailedBoots > 0 || s.DeadNodes > 0)
        {
            t.AddRow("[yellow]boots that could not start the node / nodes running nothing[/]", $"{s.FailedBoots:N0} / {s.DeadNodes:N0}");
        }

        t.AddRow("data", Markup.Escape(string.Join(", ", s.Data) + " (" + Attribution(s.Data) + ")"));
        AnsiConsole.Write(t);
        if (s.FirstMismatch is not null)
        {
            AnsiConsole.MarkupLine("[red]first mismatch:[/] " + Markup.Escape(s.FirstMismatch));
        }
    }
}
