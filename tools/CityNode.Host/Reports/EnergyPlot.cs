using CityNode.Config;

namespace CityNode.Host.Reports;

/// <summary>Battery life against sample interval, one line per publish interval (and ESPHome-style), as a PNG (ScottPlot).</summary>
public static class EnergyPlot
{
    public static readonly long[] SampleSeconds = { 10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600 };
    public static readonly long[] PublishSeconds = { 300, 900, 3600 };

    public static void Save(string path, BoardProfile board, Func<long, long, EnergyReport.Workload> workload, int capacity, Action<string>? progress = null)
    {
        var plt = new ScottPlot.Plot();
        double top = 0;
        double[] xs = SampleSeconds.Select(s => (double)s).ToArray();
        foreach (long publish in PublishSeconds)
        {
            var days = new List<double>();
            foreach (long s in SampleSeconds)
            {
                progress?.Invoke($"plot: sample {s} s, publish {publish} s");
                days.Add(EnergyReport.Run(board, workload(s, Math.Max(publish, s)), capacity).Days);
            }

            top = Math.Max(top, days.Max());
            var line = plt.Add.Scatter(xs.Select(Math.Log10).ToArray(), days.ToArray());
            line.LegendText = $"CityNode, publish ≤ {publish / 60} min";
        }

        var esphome = SampleSeconds.Select(s => EnergyReport.Run(board, workload(s, s), capacity).BaselineDays[EnergyReport.EsphomeStyle]).ToArray();
        var e = plt.Add.Scatter(xs.Select(Math.Log10).ToArray(), esphome);
        e.LegendText = "ESPHome-style (publish every sample)";
        e.LinePattern = ScottPlot.LinePattern.Dashed;
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            SampleSeconds.Select(s => Math.Log10(s)).ToArray(), SampleSeconds.Select(s => s < 60 ? $"{s}s" : s < 3600 ? $"{s / 60}m" : $"{s / 3600}h").ToArray());
        plt.Title($"{board.Name ?? board.Id}: battery life on {capacity} mAh");
        plt.XLabel("sample interval");
        plt.YLabel("days");
        plt.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plt.Axes.SetLimitsY(0, top * 1.05);
        plt.SavePng(path, 900, 600);
    }
}
