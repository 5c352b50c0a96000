using System.Text.Json;
using CityNode.Config;
using CityNode.Host.Reports;
using CityNode.Host.Stores;
using Spectre.Console;

namespace CityNode.Cli.Commands;

/// <summary><c>energy --from DB</c>: battery life from the time diagnostics real (or simulated) nodes reported.</summary>
internal static class EnergyFromDiagnostics
{
    public static int Print(string? sqlite, string? postgres, uint? node, BoardProfile board, EnergyReport.Workload workload, int capacity, bool json)
    {
        if (sqlite is not null && !File.Exists(sqlite))
        {
            Console.Error.WriteLine($"energy: --from {sqlite}: no such file");
            return 1;
        }

        EnergyCalibration c;
        try
        {
            using var store = TelemetryStores.Open(sqlite, postgres);
            c = EnergyCalibration.From(store, board, workload, capacity, node);
        }
        catch (Exception e) when (e is StoreException or FormatException)
        {
            Console.Error.WriteLine("energy: " + e.Message);
            return 1;
        }

        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(c, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        AnsiConsole.MarkupLine($"[bold]{c.AverageMilliamps:F3} mA[/] measured on average ({c.Days:F0} days on {capacity} mAh) from {c.Batches:N0} batches, " +
            $"{c.CoveredHours:N0} node-hours, board [bold]{Markup.Escape(board.Id)}[/]'s currents, the sensors the nodes' channels show ({Markup.Escape(string.Join(" + ", c.Sensors))})");
        AnsiConsole.MarkupLine($"model for {Markup.Escape(string.Join(" + ", workload.Sensors.Select(x => x.Sensor)))} ({workload.ChannelCount} channels, from {Markup.Escape(workload.Source)}), sample {workload.SampleSeconds} s, publish ≤ {workload.PublishSeconds} s: " +
            $"{c.ModelMilliamps:F3} mA → measured/model = {c.MeasuredOverModel:F3}; radio {c.RadioMsPerBatch:F0} ms per batch " +
            $"(board constant: {board.Power.ConnectPublishMs} ms per connection)");
        AnsiConsole.MarkupLine("where it goes: " + Markup.Escape(string.Join(", ", c.Breakdown.Where(kv => kv.Value > 0).OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:F3} mA"))));
        var t = new Table().Border(TableBorder.Rounded).AddColumn("node").AddColumn(new TableColumn("batches").RightAligned()).AddColumn(new TableColumn("hours").RightAligned())
            .AddColumn(new TableColumn("mA").RightAligned()).AddColumn(new TableColumn("days").RightAligned()).AddColumn(new TableColumn("battery mV").RightAligned());
        t.Title = new TableTitle(c.Nodes.Count > 20 ? $"the 20 hungriest of {c.Nodes.Count} nodes" : "per node");
        foreach (var n in c.Nodes.Take(20))
        {
            t.AddRow(n.Node.ToString(), n.Batches.ToString("N0"), n.CoveredHours.ToString("F1"), n.AverageMilliamps.ToString("F3"), n.Days.ToString("F0"), n.LastBatteryMillivolts?.ToString() ?? "-");
        }

        AnsiConsole.Write(t);
        return 0;
    }
}
