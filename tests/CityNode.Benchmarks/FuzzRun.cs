using CityNode.Testing.Fuzz;

namespace CityNode.Benchmarks;

/// <summary>
/// The long fuzzing run: <c>fuzz [--target decoder|config|both] [--count N] [--seed S] [--write-corpus DIR]</c>.
/// Prints inputs per second and the rejection reasons; exits 1 with the input at the first finding.
/// </summary>
public static class FuzzRun
{
    public static int Run(string[] args)
    {
        string target = Arg(args, "--target", "both");
        long count = long.Parse(Arg(args, "--count", "1000000"));
        int seed = int.Parse(Arg(args, "--seed", Environment.TickCount.ToString()));
        string? corpus = Arg(args, "--write-corpus", "");
        if (corpus.Length > 0)
        {
            WriteCorpus(corpus, seed);
            return 0;
        }

        foreach (var t in target == "both" ? new[] { "decoder", "config" } : new[] { target })
        {
            Console.WriteLine($"fuzz {t}: {count:N0} inputs, seed {seed}");
            try
            {
                var r = FuzzTargets.Run(t, count, seed, i => Console.Error.Write($"\r  {i:N0} inputs"));
                Console.Error.WriteLine();
                Console.WriteLine($"  {r.Inputs:N0} inputs in {r.Seconds:F1} s ({r.PerSecond:N0}/s): {r.Accepted:N0} accepted, {r.Rejected:N0} rejected, no finding");
                foreach (var (reason, n) in r.Reasons.OrderByDescending(kv => kv.Value).Take(12))
                {
                    Console.WriteLine($"  {n,10:N0}  {reason}");
                }
            }
            catch (FuzzTargets.Finding f)
            {
                Console.Error.WriteLine();
                Console.WriteLine($"FINDING: {f.Message}");
                Console.WriteLine("  add the input to tests/CityNode.Tests/Fuzz/corpus so CI keeps it");
                return 1;
            }
        }

        return 0;
    }

    /// <summary>Writes 250 mutated payloads and 250 mutated configs (the committed corpus is made this way).</summary>
    private static void WriteCorpus(string dir, int seed)
    {
        Directory.CreateDirectory(dir);
        var r = new Random(seed);
        var seeds = FuzzTargets.PayloadSeeds();
        var lines = new List<string> { $"# payloads for the decoder: seeds and mutations (fuzz --write-corpus, seed {seed})" };
        lines.AddRange(seeds.Select(Convert.ToHexString));
        for (int i = 0; i < 250; i++)
        {
            lines.Add(Convert.ToHexString(FuzzTargets.MutatePayload(seeds[r.Next(seeds.Count)], r)));
        }

        File.WriteAllLines(Path.Combine(dir, "payloads.hex"), lines);
        var docs = new List<string>(FuzzTargets.ConfigSeeds());
        var configSeeds = FuzzTargets.ConfigSeeds();
        for (int i = 0; i < 250; i++)
        {
            docs.Add(FuzzTargets.MutateConfig(configSeeds[r.Next(configSeeds.Count)], r).Replace("\n%%\n", "\n%\n"));
        }

        File.WriteAllText(Path.Combine(dir, "configs.txt"), string.Join("\n%%\n", docs));
        Console.WriteLine($"corpus written to {dir}");
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
