using System.Diagnostics;
using System.Text.Json;
using CityNode.Host.Data;
using CityNode.Telemetry;

namespace CityNode.Benchmarks;

/// <summary>
/// <c>decoders [--batches N]</c>: readings per second of the reference decoders (tools/decoders, Python and
/// JavaScript) against the C# <see cref="BatchDecoder"/>, measured in the same run on the same payloads
/// (64-sample batches of the Sensor.Community recording, 5 channels at 0.01, with diagnostics). Each
/// decoder times its own decode loop (--bench), so process start and hex parsing are left out; printed
/// as figures and ratios, never asserted.
/// </summary>
public static class DecoderSpeed
{
    public static int Run(string[] args)
    {
        int batches = 2000;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--batches" && int.TryParse(args[i + 1], out int n) && n > 0)
            {
                batches = n;
            }
            else
            {
                Console.Error.WriteLine($"decoders: unknown option {args[i]} (usage: decoders [--batches N])");
                return 1;
            }
        }

        string root = Root();
        var payloads = Payloads(batches);
        long readings = payloads.Sum(p => 64L * 5);
        string hexFile = Path.Combine(Path.GetTempPath(), $"citynode-decoders-{Environment.ProcessId}.hex");
        File.WriteAllLines(hexFile, payloads.Select(Convert.ToHexString));
        try
        {
            double csharp = CSharp(payloads);
            Console.WriteLine($"{payloads.Count} payloads, {readings:N0} readings (64 samples x 5 channels each)");
            Console.WriteLine($"{"decoder",-12} {"readings/s",14} {"vs C#",10}");
            Console.WriteLine($"{"C#",-12} {csharp,14:N0} {1.0,10:F4}");
            foreach (var (name, exe, script) in new[] { ("Python", "python3", Path.Combine(root, "tools", "decoders", "python", "citynode_decode.py")), ("JavaScript", "node", Path.Combine(root, "tools", "decoders", "js", "citynode-decode.js")) })
            {
                double rate = External(exe, script, hexFile, readings);
                Console.WriteLine($"{name,-12} {rate,14:N0} {rate / csharp,10:F4}");
            }
        }
        finally
        {
            File.Delete(hexFile);
        }

        return 0;
    }

    private static double CSharp(List<byte[]> payloads)
    {
        var decoder = new BatchDecoder();
        var into = new SampleBatch(64, 5);
        for (int warm = 0; warm < 3; warm++)
        {
            foreach (var p in payloads)
            {
                decoder.Decode(p, 0, p.Length, into);
            }
        }

        var sw = Stopwatch.StartNew();
        int rounds = 0;
        long readings = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(2) || rounds < 3)
        {
            foreach (var p in payloads)
            {
                decoder.Decode(p, 0, p.Length, into);
                readings += into.ReadingCount;
            }

            rounds++;
        }

        return readings / sw.Elapsed.TotalSeconds;
    }

    private static double External(string exe, string script, string hexFile, long readings)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--bench");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(File.ReadAllText(hexFile));
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{exe} {script} --bench exited {process.ExitCode}: {error.Result}");
        }

        using var doc = JsonDocument.Parse(output.Result);
        long decoded = doc.RootElement.GetProperty("readings").GetInt64();
        if (decoded != readings)
        {
            throw new InvalidOperationException($"{exe} decoded {decoded} readings, expected {readings}");
        }

        return decoded / doc.RootElement.GetProperty("seconds").GetDouble();
    }

    private static List<byte[]> Payloads(int batches)
    {
        var rec = Recording.Load(Path.Combine(AppContext.BaseDirectory, "data", "sensorcommunity_aberdeen_2018-10_slice.csv"));
        string[] cols = { "pm10_ugm3", "pm25_ugm3", "temperature_c", "humidity_pct", "pressure_pa" };
        var encoder = new BatchEncoder(BatchEncoder.WorstCaseSize(64, cols.Length), 64);
        var batch = new SampleBatch(64, cols.Length) { Count = 64, ChannelCount = cols.Length };
        var diagnostics = new NodeDiagnostics();
        diagnostics.Set(NodeDiagnostics.BatteryMillivolts, 3900);
        diagnostics.Set(NodeDiagnostics.RssiDbm, -70);
        var list = new List<byte[]>();
        int windows = rec.Times.Length - 64;
        for (int b = 0; b < batches; b++)
        {
            int start = (b * 17) % windows;
            for (int i = 0; i < 64; i++)
            {
                batch.Times[i] = rec.Times[start + i];
            }

            for (int c = 0; c < cols.Length; c++)
            {
                batch.Channels[c].Set(Channels.FirstCustom + c, Units.None, 1, -2);
                for (int i = 0; i < 64; i++)
                {
                    double v = rec[cols[c]].Values[start + i];
                    bool ok = !double.IsNaN(v);
                    batch.Status[batch.Index(c, i)] = ok ? ReadingStatus.Ok : ReadingStatus.Missing;
                    batch.Values[batch.Index(c, i)] = ok ? (int)Math.Round(v * 100) : 0;
                }
            }

            int len = encoder.Encode(batch, 1, (uint)b, diagnostics);
            list.Add(encoder.Buffer[..len]);
        }

        return list;
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "nf.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository (nf.sln) above " + AppContext.BaseDirectory);
    }
}
