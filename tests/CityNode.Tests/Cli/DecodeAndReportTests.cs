using System.Text.Json;
using CityNode.Host.Receiving;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Cli;

[Collection("cli")]
public class DecodeAndReportTests
{
    private static byte[] AirPayload()
    {
        var b = new SampleBatch(3, 3) { Count = 3, ChannelCount = 3 };
        b.Channels[0].Set(Channels.AirTemperature, Units.Celsius, 1, -2);
        b.Channels[1].Set(Channels.Conductivity, Units.MicrosiemensPerCentimetre, 1, 0);
        b.Channels[2].Set(Channels.Turbidity, Units.Ntu, 1, -1);
        long[] t = { 1_538_352_143, 1_538_352_290, 1_538_352_438 };
        Array.Copy(t, b.Times, 3);
        int[][] v = { new[] { 699, 698, 698 }, new[] { 38, 38, 39 }, new[] { 11, 14, 15 } };
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < 3; i++)
            {
                b.Values[b.Index(c, i)] = v[c][i];
            }
        }

        b.Status[b.Index(0, 1)] = ReadingStatus.Fault;
        var enc = new BatchEncoder(512, 3);
        int len = enc.Encode(b, 17, 5, null);
        return enc.Buffer[..len];
    }

    [Fact]
    public async Task Decode_hex_to_senml()
    {
        var (exit, stdout, _) = await CliRunner.Run("decode", Convert.ToHexString(AirPayload()));
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var records = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal("urn:dev:citynode:17:", records[0].GetProperty("bn").GetString());
        Assert.Equal(1_538_352_143, records[0].GetProperty("bt").GetInt64());
        // The faulty temperature is left out of open data; 8 readings remain.
        Assert.Equal(8, records.Count);
        Assert.Equal("6.99", records[0].GetProperty("v").GetRawText());
        var cond = records.First(r => r.GetProperty("n").GetString() == "conductivity");
        Assert.Equal("S/m", cond.GetProperty("u").GetString());
        Assert.Equal("0.0038", cond.GetProperty("v").GetRawText());
        var turb = records.Last(r => r.GetProperty("n").GetString() == "turbidity_ntu");
        Assert.False(turb.TryGetProperty("u", out _));
        Assert.Equal(295, turb.GetProperty("t").GetInt64());
        Assert.Equal("1.5", turb.GetProperty("v").GetRawText());
    }

    [Fact]
    public async Task Decode_file_as_table_shows_fault_flags()
    {
        string path = Path.GetTempFileName();
        await File.WriteAllBytesAsync(path, AirPayload());
        var (exit, stdout, _) = await CliRunner.Run("decode", path, "--table");
        File.Delete(path);
        Assert.Equal(0, exit);
        Assert.Contains("node 17, batch 5", stdout);
        Assert.Contains("fault", stdout);
    }

    [Theory]
    [InlineData("C1", "decode: not a valid CityNode payload (1 bytes): byte 1: truncated: 1 bytes, a payload has at least 17")]
    [InlineData("zz-not-hex", "decode: 'zz-not-hex' is neither a file nor a hex string")]
    [InlineData("ABC", "decode: argument: hex text has an odd number of digits (3)")]
    public async Task Decode_errors_are_one_clear_line(string arg, string expected)
    {
        var (exit, stdout, stderr) = await CliRunner.Run("decode", arg);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal(expected, stderr.Trim());
    }

    [Fact]
    public async Task Codec_report_json_has_the_named_fields_and_meets_the_goal_on_water()
    {
        var (exit, stdout, stderr) = await CliRunner.Run(
            "codec-report", Paths.SharedData("usgs_03401385_davis_branch_ky_2014-03-07_to_03-19_15min.csv"),
            "--resolution", "water_temp_c=0.1", "dissolved_oxygen_mgl=0.1", "ph=0.1", "spec_cond_uscm_25c=1", "turbidity_fnu=0.1", "--json");
        Assert.True(exit == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(64, root.GetProperty("batch").GetInt32());
        Assert.Equal(1147 * 5, root.GetProperty("readings").GetInt64());
        Assert.True(root.GetProperty("roundtrip_ok").GetBoolean());
        var formats = root.GetProperty("formats");
        double ours = formats.GetProperty("citynode").GetDouble();
        double h0 = formats.GetProperty("entropy0_delta").GetDouble();
        Assert.True(ours <= (1.25 * h0) + 0.1, $"citynode {ours} vs entropy {h0}");
        foreach (var name in new[] { "esphome_text", "tasmota_json", "senml_json", "csv_gzip", "csv_brotli", "csv_zstd", "delta_varint", "gorilla" })
        {
            Assert.True(formats.GetProperty(name).GetDouble() > ours, name);
        }
    }

    [Fact]
    public async Task Codec_report_names_an_unknown_column()
    {
        var (exit, _, stderr) = await CliRunner.Run("codec-report", Paths.Data("usgs_03401385_davis_branch_ky_2014-03_slice.csv"), "--resolution", "ph=0.1", "phh=0.1");
        Assert.Equal(1, exit);
        Assert.Contains("no numeric column 'phh'", stderr);
    }

    [Fact]
    public async Task Every_verb_has_help()
    {
        foreach (var verb in new[] { "simulate", "codec-report", "decode" })
        {
            var (exit, stdout, _) = await CliRunner.Run(verb, "--help");
            Assert.Equal(0, exit);
            Assert.Contains("Usage:", stdout);
        }
    }
}
