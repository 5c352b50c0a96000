using System.CommandLine;
using System.Text.Json;
using CityNode.Host.Data;
using CityNode.Host.Reports;
using Spectre.Console;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode codec-report FILE.csv</c>: bytes per reading, ours against peers, measured in one run.</summary>
internal static class CodecReportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE.csv") { Description = "CSV of readings: a time column (ISO 8601 or epoch seconds) and numeric columns; an empty cell is a missing reading" };
        var batch = new Option<int>("--batch") { Description = "samples per batch", DefaultValueFactory = _ => 64 };
        var resolution = new Option<string[]>("--resolution")
        {
            Description = "column=step pairs; exactly these columns are encoded (default: every numeric column at the resolution its decimals show)",
            AllowMultipleArgumentsPerToken = true,
        };
        var timeColumn = new Option<string?>("--time-column") { Description = "name of the time column (default: the first column holding times)" };
        var json = Options.Json();
        var command = new Command("codec-report", "Encode a CSV with the CityNode codec, verify every batch round-trips, and compare bytes per reading with peers' formats")
        {
            file, batch, resolution, timeColumn, json,
        };
        command.SetAction(parse =>
        {
            CodecReport report;
            try
            {
                var rec = Recording.Load(parse.GetValue(file)!, parse.GetValue(timeColumn));
                var res = CodecReport.ParseResolutions(parse.GetValue(resolution) ?? []);
                report = CodecReport.Run(rec, parse.GetValue(batch), res);
            }
            catch (Exception e) when (e is FileNotFoundException or FormatException or ArgumentOutOfRangeException or KeyNotFoundException)
            {
                Console.Error.WriteLine("codec-report: " + e.Message);
                return 1;
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Print(report);
            }

            return report.RoundTripOk ? 0 : 3;
        });
        return command;
    }

    private static void Print(CodecReport r)
    {
        double ours = r.Formats[CodecReport.Ours];
        var t = new Table().Border(TableBorder.Rounded)
            .AddColumn("format").AddColumn(new TableColumn("bytes/reading").RightAligned()).AddColumn(new TableColumn("× CityNode").RightAligned()).AddColumn("what");
        t.Title = new TableTitle($"{Markup.Escape(r.File)}: {r.Readings:N0} readings in {r.Samples:N0} samples, batches of {r.Batch}, round trip {(r.RoundTripOk ? "[green]ok[/]" : "[red]FAILED[/]")}");
        foreach (var (name, bpr) in r.Formats.OrderBy(kv => kv.Key == CodecReport.Entropy ? double.MinValue : kv.Value))
        {
            string label = name == CodecReport.Ours ? $"[bold]{name}[/]" : name;
            t.AddRow(label, bpr.ToString("F3"), (bpr / ours).ToString("F2"), Markup.Escape(CodecReport.Descriptions[name]));
        }

        AnsiConsole.Write(t);
        var cols = string.Join(", ", r.Columns.Select(c => $"{c.Name}={c.Resolution} (H0 {c.Entropy0:F3} B)"));
        AnsiConsole.MarkupLine(Markup.Escape($"columns: {cols}"));
        AnsiConsole.MarkupLine($"goal: citynode ≤ 1.25 × entropy0_delta + 0.1 = {r.Goal:F3} bytes/reading: {(r.GoalMet ? "[green]met[/]" : "[red]not met[/]")} ({ours:F3})");
    }
}
