using CityNode.Testing.Fuzz;
using Xunit;

namespace CityNode.Tests.Fuzz;

/// <summary>
/// The decoder and the config parser against hostile input: the committed corpus (tests/CityNode.Tests/Fuzz/corpus,
/// add any input a long run finds), then a seeded run of mutations. The long run (≥ 1 M inputs) is
/// <c>dotnet run -c Release --project tests/CityNode.Benchmarks -- fuzz --count 1000000</c>.
/// </summary>
public class FuzzTests
{
    private static string Corpus(string file) => Path.Combine(Paths.Root, "tests", "CityNode.Tests", "Fuzz", "corpus", file);

    [Fact]
    public void Decoder_corpus_ends_in_a_result_or_a_positioned_rejection()
    {
        var lines = File.ReadAllLines(Corpus("payloads.hex")).Where(l => l.Length > 0 && l[0] != '#').ToList();
        Assert.True(lines.Count >= 200, $"corpus has {lines.Count} payloads");
        int accepted = lines.Count(l => FuzzTargets.Decoder(Convert.FromHexString(l)) is null);
        Assert.InRange(accepted, 1, lines.Count - 1); // both paths are exercised
    }

    [Fact]
    public void Config_corpus_ends_in_a_config_or_an_error_naming_the_line()
    {
        var docs = File.ReadAllText(Corpus("configs.txt")).Split("\n%%\n");
        Assert.True(docs.Length >= 200, $"corpus has {docs.Length} documents");
        int accepted = docs.Count(d => FuzzTargets.Config(d) is null);
        Assert.InRange(accepted, 1, docs.Length - 1);
    }

    [Theory]
    [InlineData("decoder")]
    [InlineData("config")]
    public void Twenty_thousand_mutations_find_nothing(string target)
    {
        var report = FuzzTargets.Run(target, 20_000, seed: 2026);
        Assert.True(report.Accepted > 0 && report.Rejected > 0, $"{report.Accepted} accepted, {report.Rejected} rejected");
        Assert.True(report.Reasons.Count >= 5, "rejections cover several reasons: " + string.Join("; ", report.Reasons.Keys));
    }
}
