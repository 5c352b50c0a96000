using System.CommandLine;
using System.Text.Json;
using CityNode.Host.Reports;
using Spectre.Console;

namespace CityNode.Cli.Commands;

/// <summary><c>citynode storage-report</c>: ring and journal capacity and flash wear at the reference workload.</summary>
internal static class StorageReportCommand
{
    public static Command Create()
    {
        var journal = new Option<int>("--journal-kb") { Description = "journal size in KB (1024 on an 8 MB board, 192 on a 4 MB one)", DefaultValueFactory = _ => 1024 };
        var json = Options.Json();
        var command = new Command("storage-report", "Measure the RAM ring, the flash journal's offline capacity and flash wear at the reference workload (8 channels, one sample a minute, real recordings)")
        {
            journal, json,
        };
        command.SetAction(parse =>
        {
            int kb = parse.GetValue(journal);
            if (kb < 16 || kb % 4 != 0)
            {
                Console.Error.WriteLine("--journal-kb: at least 16, a multiple of 4 (4 KB sectors)");
                return 1;
            }

            bool asJson = parse.GetValue(json);
            var r = StorageReport.Run(Path.Combine(AppContext.BaseDirectory, "data"), kb, progress: asJson ? null : m => Console.Error.Write($"\r{m,-70}"));
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }

            Console.Error.WriteLine();
            var t = new Table().Border(TableBorder.Rounded).AddColumn("figure").AddColumn(new TableColumn("value").RightAligned());
            t.Title = new TableTitle("Reference workload: 8 channels, one sample a minute (Sensor.Community + UCI recordings)");
            t.AddRow("RAM ring, 24 h of samples", $"{r.RingBytes24h:N0} B ({r.RingBytesPerReading:F2} B/reading), limit {r.RingLimit:N0} B");
            t.AddRow("RAM ring, 24 h at ±31 steps/min on every channel", $"{r.RingBytesBound:N0} B");
            t.AddRow($"journal of {r.JournalBytes / 1024} KB, offline", $"{r.JournalOfflineDays:F1} days ({r.JournalBytesPerDay:N0} B/day)");
            t.AddRow("journal wear, online", $"{r.JournalErasesPerSectorPerDay:F3} erases/sector/day");
            t.AddRow($"staging log ({r.StagingBytes / 1024} KB) wear", $"{r.StagingErasesPerSectorPerDay:F2} erases/sector/day");
            t.AddRow("years to 100 000 erases (NOR endurance)", $"{r.YearsTo100kErases:F0}");
            AnsiConsole.Write(t);
            return 0;
        });
        return command;
    }
}
