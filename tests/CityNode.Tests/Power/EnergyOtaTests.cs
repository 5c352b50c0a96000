using System.Text.Json;
using CityNode.Tests.Cli;
using Xunit;

namespace CityNode.Tests.Power;

/// <summary>
/// energy --ota-kb (issue 16 item 4): an update's radio, CPU and flash time in the publish windows,
/// its verify and restart, charged at the board's currents. Expected figures from the wire format
/// and boards/reference.board's constants, not from the code under test.
/// </summary>
[Collection("cli")]
public sealed class EnergyOtaTests
{
    private static async Task<JsonElement> Ota(params string[] more)
    {
        var (exit, output, err) = await CliRunner.Run(["energy", "--board", "reference", "--sample", "5m", "--publish", "15m", "--json", .. more]);
        Assert.True(exit == 0, err);
        return JsonDocument.Parse(output).RootElement;
    }

    [Fact]
    public async Task A_120_kb_update_is_charged_its_radio_cpu_flash_verify_and_restart_at_the_boards_currents()
    {
        var r = await Ota("--ota-kb", "120", "--ota-every", "30d");
        var o = r.GetProperty("ota");
        Assert.Equal(30, o.GetProperty("chunks").GetInt32()); // 120 KB in 4 KB chunks

        // On the wire: 30 chunk messages (12-byte header + 4,096 B) and the manifest for node "1" of one
        // file "CityNode.App.pe": 18 + 2 + 1 (target) + 3 + (1 + 15 + 4 + 32) + 30 × 32 + 32 = 1,068 B.
        Assert.Equal((30 * (12 + 4096)) + 1068, o.GetProperty("wire_bytes").GetInt64());
        Assert.Equal(Math.Round(124_308 / 20_000.0, 2), o.GetProperty("radio_s").GetDouble());

        // Flash per chunk: a sector erase (45 ms) and 17 page programs (16 for 4 KB, 1 for the mark) at 0.94 ms.
        Assert.Equal(Math.Round(30 * (0.045 + (17 * 0.00094)), 2), o.GetProperty("flash_s").GetDouble());

        // The measured IL: per chunk (hash, erase, program, mark) between 0.5 M and 1.5 M (docs/ota.md measured 0.83 M);
        // the CPU time at the board's 1.5 M IL/s.
        long chunkIl = o.GetProperty("chunk_il").GetInt64();
        Assert.InRange(chunkIl / 30, 500_000, 1_500_000);
        Assert.Equal(chunkIl / 1_500_000.0, o.GetProperty("cpu_s").GetDouble(), 0.01);
        Assert.InRange(o.GetProperty("verify_il").GetInt64() / 120, 100_000, 300_000); // SHA-256 per KB, docs/ota.md: 181 k

        // Radio associated (110 mA) for the window's stretch; 50 mA for the verify and the 1.5 s restart.
        double uaS = ((o.GetProperty("radio_s").GetDouble() + o.GetProperty("cpu_s").GetDouble() + o.GetProperty("flash_s").GetDouble()) * 110_000)
            + ((o.GetProperty("verify_s").GetDouble() + 1.5) * 50_000);
        double mah = o.GetProperty("mah_per_update").GetDouble();
        Assert.Equal(uaS / 3.6e6, mah, 0.005);
        var range = o.GetProperty("mah_per_update_range").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.True(range[0] < mah && mah < range[1], $"{range[0]} < {mah} < {range[1]}");

        // Once every 30 days, added to the average current.
        Assert.Equal(mah / 720, o.GetProperty("avg_ma_added").GetDouble(), 0.0001);
        Assert.Equal(r.GetProperty("avg_ma").GetDouble() + o.GetProperty("avg_ma_added").GetDouble(), o.GetProperty("avg_ma_with_ota").GetDouble(), 0.0001);
    }

    [Fact]
    public async Task A_slower_link_costs_more_radio_time_and_no_ota_kb_means_no_ota_section()
    {
        var slow = (await Ota("--ota-kb", "16", "--ota-rate", "5000")).GetProperty("ota");
        Assert.Equal(4, slow.GetProperty("chunks").GetInt32());
        Assert.Equal(Math.Round(slow.GetProperty("wire_bytes").GetInt64() / 5000.0, 2), slow.GetProperty("radio_s").GetDouble());
        Assert.Equal(JsonValueKind.Null, slow.GetProperty("every_s").ValueKind);

        Assert.False((await Ota()).TryGetProperty("ota", out _));
    }

    [Theory]
    [InlineData("--ota-kb", "0", "--ota-kb 0: 1 to 256 (a release is at most 64 chunks of 4 KB)")]
    [InlineData("--ota-kb", "257", "--ota-kb 257: 1 to 256")]
    [InlineData("--ota-every", "30d", "--ota-every and --ota-rate go with --ota-kb N")]
    public async Task Bad_ota_options_are_refused_before_any_run(string option, string value, string message)
    {
        var (exit, output, err) = await CliRunner.Run("energy", option, value);
        Assert.Equal(1, exit);
        Assert.Contains("energy: " + message, err);
        Assert.Empty(output);
    }
}
